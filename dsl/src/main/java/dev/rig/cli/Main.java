package dev.rig.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** The rig command: global options and subcommands; errors are one clear line unless --debug. */
@Command(name = "rig", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A scriptable virtual machine monitor for KVM and VFIO.",
        subcommands = {RunCommand.class, PlanCommand.class, dev.rig.cli.host.HostCommand.class, ShellCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    @Option(names = "--debug", description = "Log in detail and print stack traces for errors.", scope = CommandLine.ScopeType.INHERIT)
    void setDebug(boolean debug) {
        Main.debug = debug;
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(debug ? Level.DEBUG : Level.WARN);
    }

    static boolean debug;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handleError);
        return cli.execute(args);
    }

    /** Prints "rig: <message>" (every line of a multi-problem message), the stack trace only with --debug. */
    private static int handleError(Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        if (debug) e.printStackTrace(err);
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        for (String line : message.split("\n")) err.println("rig: " + line);
        err.flush();
        return 1;
    }
}
