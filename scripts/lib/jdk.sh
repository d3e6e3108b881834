# Sourced by bin/rig and scripts/test: rig_find_jdk prints the home of a JDK >= 25, preferring JAVA_HOME.
rig_java_major() {  # $1 = a JDK home; its release file says the version without starting a JVM
    if [ -r "$1/release" ]; then
        sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
    else
        "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
    fi
}

rig_find_jdk() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*25*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
        major=$(rig_java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            echo "$candidate"
            return 0
        fi
    done
    echo "rig: JDK 25 or newer is required. Install one (e.g. Temurin 25) and point JAVA_HOME at it:" >&2
    echo "    export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64" >&2
    return 1
}
