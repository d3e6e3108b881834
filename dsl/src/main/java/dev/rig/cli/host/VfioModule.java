package dev.rig.cli.host;

import dev.rig.engine.hostprep.HostPaths;
import dev.rig.engine.hostprep.HostPrepException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/** Loads vfio-pci with modprobe: only when the user asks (--modprobe), since it changes the running kernel. */
final class VfioModule {
    private VfioModule() {
    }

    static void load(HostOptions options) {
        if (!options.liveHost()) {
            throw new HostPrepException("--modprobe loads into the running kernel, so it works only on the live /sys");
        }
        HostPaths paths = options.paths();
        if (Files.isDirectory(paths.pciDriver("vfio-pci"))) {
            return;
        }
        try {
            Process p = new ProcessBuilder("modprobe", "vfio-pci").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new HostPrepException("modprobe vfio-pci failed" + (out.isEmpty() ? "" : ": " + out));
            }
            // udev may still be creating the driver's directory: give it a moment.
            for (int i = 0; i < 50 && !Files.isDirectory(paths.pciDriver("vfio-pci")); i++) {
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new HostPrepException("cannot run modprobe vfio-pci: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostPrepException("interrupted while loading vfio-pci", e);
        }
    }
}
