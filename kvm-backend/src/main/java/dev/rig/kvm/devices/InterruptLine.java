package dev.rig.kvm.devices;

/** A device's interrupt output (an irqfd-backed GSI once the irqchip is wired; a no-op without one). */
@FunctionalInterface
public interface InterruptLine {
    InterruptLine NONE = level -> {};

    void set(boolean asserted);
}
