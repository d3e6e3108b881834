#!/bin/bash
# Runs inside L1 as `env -i chroot /host bash /run/rig-lab/runner.sh`, with stdout/stderr already redirected
# to the run's files: restores the caller's environment, enters the caller's working directory, runs the command.
# Its exit status is the command's (125 when the working directory is not visible in L1).
# shellcheck disable=SC1091
source /run/rig-lab/env
source /run/rig-lab/l1.env
if ! cd -- "$RIG_LAB_CWD" 2>/dev/null; then
    echo "rig-lab: the working directory $RIG_LAB_CWD does not exist in L1 (the host's /tmp is not shared)" >&2
    exit 125
fi
exec /bin/bash -c "$(</run/rig-lab/cmd)"
