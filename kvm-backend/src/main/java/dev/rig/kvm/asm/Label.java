package dev.rig.kvm.asm;

/** A position in the code, bound once; jumps and RIP-relative operands to it are patched when it is bound. */
public final class Label {
    private final String name;
    int position = -1;

    public Label(String name) { this.name = name; }

    public boolean isBound() { return position >= 0; }

    @Override
    public String toString() { return name + (isBound() ? "@" + position : "(unbound)"); }
}
