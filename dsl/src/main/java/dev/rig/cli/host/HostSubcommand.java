package dev.rig.cli.host;

import dev.rig.engine.hostprep.DriverBinder;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/** What every `rig host` subcommand has: the host options, its picocli spec, and the parent (which writes sysfs). */
abstract class HostSubcommand {
    @Mixin
    HostOptions options;

    @Spec
    CommandSpec spec;

    @ParentCommand
    HostCommand parent;

    /** A binder over this host's sysfs and journal, writing through the parent's writer (a fake one in tests). */
    DriverBinder binder() { return new DriverBinder(options.paths(), parent.writer(), options.journal()); }

    PrintWriter out() { return spec.commandLine().getOut(); }

    PrintWriter err() { return spec.commandLine().getErr(); }
}
