#!/usr/bin/env bash
# Builds an L2 initramfs for a lab test: the lab's L2 initramfs plus an overlay (a second cpio archive, which the
# kernel unpacks over the first) holding INIT as /init, init-lib.sh (helpers the inits share) and the named
# kernel modules of the lab's kernel with everything they depend on, listed in load order in
# /lib/rig-lab/modules.order (busybox has no modprobe that could resolve them).
# With L2_TOOLS="lspci setpci", those host programs go in too, with the shared libraries they load.
# Usage: l2-initrd.sh OUT.img INIT [MODULE...]     e.g. l2-initrd.sh disk.img disk-init virtio_pci virtio_blk ext4
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
[ $# -ge 2 ] || { echo "usage: l2-initrd.sh OUT.img INIT [MODULE...]" >&2; exit 2; }
out=$1 init=$2
shift 2
[ -f "$init" ] || init=$here/$init
[ -f "$init" ] || { echo "l2-initrd.sh: no init script $2" >&2; exit 2; }
cache=${RIG_LAB_CACHE:-$HOME/.cache/rig-lab}
release=$(cat "$cache/kernel.release")
modules=$cache/kernel/lib/modules/$release
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/lib/rig-lab"

declare -A path=() deps=() seen=()
while IFS= read -r line; do
    p=${line%%:*} n=${p##*/} n=${n%%.ko*} n=${n//-/_}
    path[$n]=$p deps[$n]=${line#*:}
done <"$modules/modules.dep"
builtin=$(sed 's#.*/##; s#\.ko.*##; s#-#_#g' "$modules/modules.builtin")
add() {  # add NAME: its dependencies first, then itself (built-in modules need nothing)
    local n=${1//-/_} d
    [ -n "${seen[$n]:-}" ] && return 0
    seen[$n]=1
    if [ -z "${path[$n]:-}" ]; then
        grep -qx "$n" <<<"$builtin" && return 0
        echo "l2-initrd.sh: kernel module $1 not found in $modules" >&2
        exit 1
    fi
    for d in ${deps[$n]}; do add "$(basename "${d%%.ko*}")"; done
    cp "$modules/${path[$n]}" "$root/lib/rig-lab/"
    basename "${path[$n]}" >>"$root/lib/rig-lab/modules.order"
}
touch "$root/lib/rig-lab/modules.order"
for m in "$@"; do add "$m"; done

for tool in ${L2_TOOLS:-}; do
    bin=$(command -v "$tool") || { echo "l2-initrd.sh: $tool is not installed on this host" >&2; exit 1; }
    cp --parents "$bin" "$root"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do cp --parents -L "$lib" "$root"; done
done
install -m 755 "$init" "$root/init"
install -m 644 "$here/init-lib.sh" "$root/lib/rig-lab/init-lib.sh"
cp "$cache/l2-initrd.img" "$out"
# The kernel only takes an archive that follows a compressed one at a 4-byte aligned offset (it skips zeros).
truncate -s %4 "$out"
(cd "$root" && find . | cpio -o -H newc --quiet) >>"$out"
