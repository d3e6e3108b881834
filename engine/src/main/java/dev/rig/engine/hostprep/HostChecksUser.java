package dev.rig.engine.hostprep;

import java.nio.file.Path;

/**
 * The user {@link HostChecks} speaks of, spelled as each place needs it. A uid without a passwd entry (a container,
 * {@code setpriv --reuid}) has no name: the JVM's user.name is then "?", which no fix may print, so the uid stands
 * in: chown and udev's OWNER take a number, limits.conf takes ":UID" for exactly that uid.
 *
 * @param display      in findings: "alice" or "uid 4242"
 * @param owner        for chown and udev rules: "alice" or "4242"
 * @param limitsDomain the first word of a limits.conf line: "alice" or ":4242"
 */
record HostChecksUser(String display, String owner, String limitsDomain) {

    static HostChecksUser named(String name) {
        return new HostChecksUser(name, name, name);
    }

    static HostChecksUser uid(long uid) {
        return new HostChecksUser("uid " + uid, Long.toString(uid), ":" + uid);
    }

    /** The name, or this process's effective uid (from {@code proc}) when the name is unknown ("?" or empty). */
    static HostChecksUser of(String name, Path proc) {
        if (name != null && !name.isBlank() && !name.equals("?")) {
            return named(name);
        }
        long uid = ProcStatus.self(proc).effectiveUid();
        return uid >= 0 ? uid(uid) : named("this user");
    }
}
