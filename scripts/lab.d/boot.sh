# shellcheck shell=bash
# Boots L1 with QEMU (TCG) to run one command there (sourced by scripts/lab; used by run and check).
#
# Each boot gets its own work folder (mktemp): share/ is 9p-shared read-write into L1 and mounted there on
# /run/rig-lab (config, env, cmd, runner.sh in; stdout, stderr, status out); console.log is L1's serial console.
# The command's stdout/stderr files are streamed to ours while L1 runs (tail --pid).

# Options (set by scripts/lab before calling lab_boot).
OPT_EDU_DRIVER=vfio-pci
OPT_TIMEOUT=$LAB_TIMEOUT
OPT_MEM=$LAB_MEM
OPT_SMP=$LAB_SMP
OPT_RW=()
OPT_KEEP=""
OPT_VERBOSE=""
OPT_CWD=""

LAB_WORK=""
LAB_QPID=""
LAB_STREAM_PIDS=()

lab_cleanup() {
    set +e
    lab_stop_qemu
    local p="" i
    # The streams end by themselves once QEMU is gone (after a last read); give them a moment.
    for ((i = 0; i < 10; i++)); do
        for p in "${LAB_STREAM_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && break; p=""; done
        [[ -z $p ]] && break
        sleep 0.1
    done
    for p in "${LAB_STREAM_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    if [[ -n $LAB_WORK && -d $LAB_WORK ]]; then
        if [[ -n $OPT_KEEP ]]; then lab_log "work folder kept: $LAB_WORK"; else rm -rf "$LAB_WORK"; fi
    fi
}

# Stops QEMU (through its `timeout` parent, which passes the signal on) and, failing that, kills it.
lab_stop_qemu() {
    [[ -n $LAB_QPID ]] || return 0
    if kill -0 "$LAB_QPID" 2>/dev/null; then
        kill -TERM "$LAB_QPID" 2>/dev/null || true
        local i qemu_pid
        for ((i = 0; i < 50; i++)); do
            kill -0 "$LAB_QPID" 2>/dev/null || break
            sleep 0.2
        done
        qemu_pid=$(cat "$LAB_WORK/qemu.pid" 2>/dev/null || true)
        if kill -0 "$LAB_QPID" 2>/dev/null; then
            kill -KILL "$LAB_QPID" 2>/dev/null || true
            if [[ -n $qemu_pid ]]; then kill -KILL "$qemu_pid" 2>/dev/null || true; fi
        fi
    fi
    wait "$LAB_QPID" 2>/dev/null || true
    LAB_QPID=""
}

lab_on_signal() {
    trap '' INT TERM HUP
    lab_log "interrupted by SIG$1: stopping L1"
    lab_cleanup
    trap - EXIT
    exit "$2"
}

# Writes the caller's exported environment (minus what only makes sense in the caller's session) and the lab's
# variables as bash `export` lines.
lab_write_env() {
    local name
    for name in $(compgen -e); do
        case $name in
            PWD | OLDPWD | SHLVL | _ | SHELLOPTS | BASHOPTS | SSH_* | DISPLAY | WAYLAND_DISPLAY | XDG_RUNTIME_DIR | DBUS_SESSION_BUS_ADDRESS | \
                TMUX | TMUX_PANE | INVOCATION_ID | JOURNAL_STREAM | NOTIFY_SOCKET | LISTEN_*) continue ;;
            TMPDIR) [[ $TMPDIR != /tmp && $TMPDIR != /tmp/ ]] && lab_hidden_in_l1 "$TMPDIR" && continue ;;
        esac
        printf 'export %s=%q\n' "$name" "${!name}"
    done
    printf 'export %s=%q\n' RIG_LAB 1 RIG_LAB_CWD "$1" RIG_LAB_EDU_DRIVER "$OPT_EDU_DRIVER" \
        RIG_LAB_L2_KERNEL "$LAB_VMLINUZ" RIG_LAB_L2_INITRD "$LAB_L2_INITRD" RIG_LAB_L2_MARKER "$LAB_L2_MARKER" \
        RIG_LAB_MODULES "$LAB_MODULES" RIG_LAB_KVER "$LAB_KVER" RIG_LAB_BIN "$LAB_BIN"
}

# lab_boot CMD: runs the shell command CMD in L1; sets LAB_STATUS (CMD's status, or 124/125) and LAB_WALL.
lab_boot() {
    local cmd=$1 cwd share t0 qrc=0 i dir
    cwd=${OPT_CWD:-$(pwd -P)}
    lab_hidden_in_l1 "$cwd" && ! lab_in_rw "$cwd" && lab_die "the working directory $cwd is under /tmp, /run, /proc, /sys or /dev, which" \
        "L1 does not share with the host; cd elsewhere or use --cwd DIR"
    [[ -d $cwd ]] || lab_die "no such folder: $cwd"

    LAB_WORK=$(mktemp -d "${TMPDIR:-/tmp}/rig-lab.XXXXXX") || lab_die "cannot create a work folder"
    trap lab_cleanup EXIT
    trap 'lab_on_signal INT 130' INT
    trap 'lab_on_signal TERM 143' TERM
    trap 'lab_on_signal HUP 129' HUP
    share=$LAB_WORK/share
    mkdir "$share"
    printf 'EDU_DRIVER=%s\n' "$OPT_EDU_DRIVER" >"$share/config"
    printf '%s\n' "$cmd" >"$share/cmd"
    lab_write_env "$cwd" >"$share/env"
    cp "$LAB_D/guest/runner.sh" "$share/runner.sh"
    if [[ -n ${LAB_BOOT_HOOK:-} ]]; then "$LAB_BOOT_HOOK" "$share"; fi
    : >"$share/stdout"
    : >"$share/stderr"
    : >"$LAB_WORK/console.log"

    local esc_share esc_kernel esc_initrd qemu
    esc_share=$(lab_qemu_escape "$share")
    # shellcheck disable=SC2054 # commas separate QEMU's sub-options
    qemu=(qemu-system-x86_64 -nodefaults -no-user-config -display none -monitor none -no-reboot
        -accel tcg -machine q35,kernel-irqchip=split -cpu qemu64,+svm,+npt,vendor=AuthenticAMD
        -smp "$OPT_SMP" -m "$OPT_MEM"
        -device intel-iommu,intremap=on -device edu
        -serial "file:$LAB_WORK/console.log" -pidfile "$LAB_WORK/qemu.pid"
        -virtfs local,path=/,mount_tag=rig-host,security_model=none,readonly=on,multidevs=remap
        -virtfs "local,path=$esc_share,mount_tag=rig-lab,security_model=none,multidevs=remap")
    i=0
    for dir in "${OPT_RW[@]}"; do
        qemu+=(-virtfs "local,path=$(lab_qemu_escape "$dir"),mount_tag=rig-rw$i,security_model=none,multidevs=remap")
        printf 'rig-rw%s %s\n' "$i" "$dir" >>"$share/rw"
        i=$((i + 1))
    done
    esc_kernel=$(lab_qemu_escape "$LAB_VMLINUZ")
    esc_initrd=$(lab_qemu_escape "$LAB_L1_INITRD")
    qemu+=(-kernel "$esc_kernel" -initrd "$esc_initrd"
        -append "console=ttyS0 intel_iommu=on quiet panic=-1 mitigations=off")

    t0=${EPOCHREALTIME/./}
    # setpriv: should this script be killed outright, `timeout` gets SIGTERM and passes it on to QEMU.
    local guard=()
    setpriv --pdeathsig TERM true 2>/dev/null && guard=(setpriv --pdeathsig TERM --)
    "${guard[@]}" timeout -k 10 "$OPT_TIMEOUT" "${qemu[@]}" </dev/null >"$LAB_WORK/qemu.log" 2>&1 &
    LAB_QPID=$!
    tail -n +1 -s 0.2 -f --pid="$LAB_QPID" "$share/stdout" &
    LAB_STREAM_PIDS+=($!)
    tail -n +1 -s 0.2 -f --pid="$LAB_QPID" "$share/stderr" >&2 &
    LAB_STREAM_PIDS+=($!)
    if [[ -n $OPT_VERBOSE ]]; then
        tail -n +1 -s 0.2 -f --pid="$LAB_QPID" "$LAB_WORK/console.log" | sed -u 's/\r$//; s/^/[L1] /' >&2 &
        LAB_STREAM_PIDS+=($!)
    fi
    wait "$LAB_QPID" || qrc=$?
    LAB_QPID=""
    for i in "${LAB_STREAM_PIDS[@]}"; do wait "$i" 2>/dev/null || true; done
    LAB_STREAM_PIDS=()
    LAB_WALL=$(lab_seconds_since "$t0")

    if [[ -s $share/status ]]; then
        LAB_STATUS=$(<"$share/status")
        if [[ -s $share/error ]]; then
            lab_log "L1: $(<"$share/error")"
            lab_log "L1's console ends with:"
            lab_console_tail >&2
        fi
        [[ $qrc == 0 ]] || lab_log "note: QEMU exited with status $qrc after the command finished"
    elif [[ $qrc == 124 || $qrc == 137 ]]; then
        lab_log "timed out after $OPT_TIMEOUT s: L1 was stopped (--timeout, RIG_LAB_TIMEOUT). L1's console ends with:"
        lab_console_tail >&2
        LAB_STATUS=$LAB_EXIT_TIMEOUT
    else
        LAB_STATUS=$(sed -n 's/^RIG-LAB-STATUS \([0-9]*\).*/\1/p' "$LAB_WORK/console.log" | tail -n 1)
        if [[ -z $LAB_STATUS ]]; then
            lab_log "L1 ended without reporting the command's status (QEMU exit status $qrc)."
            if [[ -s $LAB_WORK/qemu.log ]]; then
                lab_log "QEMU said:"
                tail -n 20 "$LAB_WORK/qemu.log" | sed 's/^/  | /' >&2
            fi
            grep -a 'Kernel panic' "$LAB_WORK/console.log" | tr -d '\r' | head -n 1 | sed 's/^/rig-lab: L1: /' >&2
            lab_log "L1's console ends with:"
            lab_console_tail >&2
            LAB_STATUS=$LAB_EXIT_FAILURE
        fi
    fi
    if [[ -n $OPT_VERBOSE ]]; then
        local ts te
        ts=$(cat "$share/t-start" 2>/dev/null || echo "?")
        te=$(cat "$share/t-end" 2>/dev/null || echo "?")
        lab_log "status $LAB_STATUS; wall ${LAB_WALL} s; L1 uptime at command start ${ts} s, at its end ${te} s"
    fi
}

# True when folder $1 is (under) one of the --rw folders.
lab_in_rw() {
    local dir
    for dir in "${OPT_RW[@]}"; do [[ $1/ == "$dir"/* ]] && return 0; done
    return 1
}

# Seconds (one decimal) since $1, a value of ${EPOCHREALTIME/./} (microseconds).
lab_seconds_since() {
    local ds=$(((${EPOCHREALTIME/./} - $1) / 100000))
    printf '%d.%d' $((ds / 10)) $((ds % 10))
}

lab_console_tail() { tr -d '\r' <"$LAB_WORK/console.log" | grep -av '^\s*$' | tail -n 30 | sed 's/^/  | /'; }
