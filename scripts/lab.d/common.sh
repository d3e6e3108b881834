# shellcheck shell=bash
# Shared settings and helpers of scripts/lab (sourced).

LAB_CACHE=${RIG_LAB_CACHE:-${HOME:-/root}/.cache/rig-lab}
LAB_TIMEOUT=${RIG_LAB_TIMEOUT:-900}
LAB_MEM=${RIG_LAB_MEM:-4G}
LAB_SMP=${RIG_LAB_SMP:-1}
LAB_L2_MARKER=RIG-LAB-L2-OK

# Exit statuses of the lab itself (a command's own status is passed through unchanged).
LAB_EXIT_TIMEOUT=124
LAB_EXIT_FAILURE=125

lab_log() { printf 'rig-lab: %s\n' "$*" >&2; }
lab_die() { lab_log "$*"; exit "$LAB_EXIT_FAILURE"; }

# Paths derived from the cache (valid after setup).
lab_paths() {
    LAB_KROOT=$LAB_CACHE/kernel
    LAB_KVER=$(cat "$LAB_CACHE/kernel.release" 2>/dev/null || true)
    LAB_MODULES=$LAB_KROOT/lib/modules/$LAB_KVER
    LAB_VMLINUZ=$LAB_KROOT/boot/vmlinuz-$LAB_KVER
    LAB_L1_INITRD=$LAB_CACHE/l1-initrd.img
    LAB_L2_INITRD=$LAB_CACHE/l2-initrd.img
    LAB_BIN=$LAB_CACHE/bin
}

# L1 mounts fresh file systems over these host folders, so nothing under them is visible there.
lab_hidden_in_l1() {
    case "$1/" in
        /tmp/* | /run/* | /proc/* | /sys/* | /dev/*) return 0 ;;
    esac
    return 1
}

# Escapes a value for a QEMU option list (commas are doubled).
lab_qemu_escape() { printf '%s' "${1//,/,,}"; }
