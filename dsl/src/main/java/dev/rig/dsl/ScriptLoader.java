package dev.rig.dsl;

import dev.rig.engine.model.SourceRef;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.validate.Problem;
import dev.rig.engine.validate.ValidationException;
import groovy.lang.GroovyShell;
import org.codehaus.groovy.control.CompilationFailedException;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.syntax.SyntaxException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a Rig script into VM specifications. Problems (syntax, unknown words, bad values, exceptions in the
 * script) are collected with their lines; nothing runs.
 */
public final class ScriptLoader {
    private ScriptLoader() {}

    /** What a script declared, and what is wrong in it (empty when nothing is). */
    public record Loaded(List<VmSpec> vms, List<Problem> problems) {}

    /** Evaluates a script; throws only when it cannot be read or compiled, with every syntax error. */
    public static Loaded load(Path script) {
        if (!Files.isRegularFile(script)) {
            throw new ValidationException(List.of(Problem.at(new SourceRef(script.toString(), 0),
                    Files.exists(script) ? "not a file" : "no such script")));
        }
        String source;
        try {
            source = Files.readString(script);
        } catch (NoSuchFileException e) {
            throw new ValidationException(List.of(Problem.at(new SourceRef(script.toString(), 0), "no such script")));
        } catch (IOException e) {
            throw new ValidationException(List.of(Problem.at(new SourceRef(script.toString(), 0),
                    "cannot read: " + e.getMessage())));
        }
        ScriptContext context = new ScriptContext(script);
        CompilerConfiguration config = new CompilerConfiguration();
        config.setScriptBaseClass(RigScript.class.getName());
        GroovyShell shell = new GroovyShell(ScriptLoader.class.getClassLoader(), config);
        RigScript rigScript;
        try {
            rigScript = (RigScript) shell.parse(source, context.fileName());
        } catch (MultipleCompilationErrorsException e) {
            throw new ValidationException(syntaxProblems(context, e));
        } catch (CompilationFailedException e) {
            throw new ValidationException(List.of(Problem.at(context.at(0), e.getMessage())));
        }
        Path baseDir = script.toAbsolutePath().getParent();
        String name = context.fileName().replaceFirst("\\.groovy$", "");
        rigScript.init(context, baseDir, name);
        try {
            rigScript.run();
        } catch (RuntimeException e) {
            context.problem(lineOf(context, e), describe(e));
        }
        if (rigScript.vms().isEmpty() && context.problems().isEmpty())
            context.problem(context.at(0), "the script declares no VM; add vm { ... }");
        return new Loaded(rigScript.vms().stream().map(b -> b.build()).toList(), List.copyOf(context.problems()));
    }

    private static List<Problem> syntaxProblems(ScriptContext context, MultipleCompilationErrorsException e) {
        List<Problem> problems = new ArrayList<>();
        for (Message m : e.getErrorCollector().getErrors()) {
            if (m instanceof SyntaxErrorMessage sem) {
                SyntaxException se = sem.getCause();
                problems.add(Problem.at(context.at(se.getLine()),
                        "syntax error: " + se.getOriginalMessage() + " (column " + se.getStartColumn() + ")"));
            } else {
                problems.add(Problem.at(context.at(0), String.valueOf(m)));
            }
        }
        return problems;
    }

    /** The script line an exception came from: its deepest frame in the script file. */
    private static SourceRef lineOf(ScriptContext context, Throwable e) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (context.fileName().equals(f.getFileName()) && f.getLineNumber() > 0) return context.at(f.getLineNumber());
        }
        return context.at(0);
    }

    private static String describe(Throwable e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName().replace("Exception", "") + (msg == null ? "" : ": " + msg);
    }
}
