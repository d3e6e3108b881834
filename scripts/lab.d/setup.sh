# shellcheck shell=bash
# scripts/lab setup (sourced): Debian packages, the Debian kernel, the L1/L2 initramfs images and the check
# programs, all kept in $LAB_CACHE. Idempotent; the fast path (nothing to do) costs a few dpkg/sha256 calls.

LAB_PACKAGES=(qemu-system-x86 busybox-static cpio gzip gcc libc6-dev kmod pciutils)

# Top-level modules L1 loads (dependencies are resolved with the kernel's modules.dep) and their parameters.
LAB_L1_MODULES=(virtio_pci 9pnet_virtio 9p vfio_pci vfio_iommu_type1 uio_pci_generic kvm_amd)
declare -A LAB_MODULE_PARAMS=([kvm_amd]="nested=1")

lab_setup() {
    local refresh=${1:-}
    lab_hidden_in_l1 "$LAB_CACHE" && lab_die "the cache $LAB_CACHE must not be under /tmp, /run, /proc, /sys or /dev" \
        "(L1 would not see it); set RIG_LAB_CACHE"
    mkdir -p "$LAB_CACHE" || lab_die "cannot create the cache $LAB_CACHE"
    lab_paths
    if [[ -z $refresh ]] && lab_setup_ready; then return 0; fi
    (
        flock 9 || lab_die "cannot lock $LAB_CACHE/.lock"
        rm -rf "$LAB_CACHE"/*.tmp.* # left by an interrupted setup (none can be running: we hold the lock)
        lab_install_packages
        lab_fetch_kernel "$refresh"
        lab_paths
        lab_build_images "$refresh"
    ) 9>"$LAB_CACHE/.lock" || exit
    lab_paths
}

# True when packages, kernel and images are all there and the images match their inputs.
lab_setup_ready() {
    [[ -z $(lab_missing_packages) && -n $LAB_KVER && -f $LAB_VMLINUZ && -f $LAB_L1_INITRD && -f $LAB_L2_INITRD ]] &&
        [[ -x $LAB_BIN/vfio-edu && -x $LAB_BIN/kvm-idt ]] &&
        [[ $(cat "$LAB_CACHE/images.stamp" 2>/dev/null) == "$(lab_images_stamp)" ]] &&
        [[ -z ${RIG_LAB_KERNEL_DEB:-} || $(cat "$LAB_CACHE/kernel.package") == "$(lab_deb_id "$RIG_LAB_KERNEL_DEB")" ]]
}

lab_missing_packages() {
    local -A installed=()
    local p status
    while read -r p status; do installed[$p]=$status; done < <(
        dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${LAB_PACKAGES[@]}" 2>/dev/null || true)
    for p in "${LAB_PACKAGES[@]}"; do
        [[ ${installed[$p]:-} == installed ]] || printf '%s ' "$p"
    done
}

# apt-get install, with `apt-get update` first only when the plain install fails.
lab_apt_install() {
    local log=$LAB_CACHE/setup.log
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
        lab_log "apt-get install failed; running apt-get update and trying again"
        apt-get update -q >>"$log" 2>&1 || true
        if ! apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
            tail -n 20 "$log" >&2
            lab_die "cannot install $* (log: $log)"
        fi
    fi
}

lab_install_packages() {
    local missing
    missing=$(lab_missing_packages)
    [[ -z $missing ]] && return 0
    [[ $(id -u) == 0 ]] || lab_die "missing Debian packages: $missing(run scripts/lab setup as root)"
    lab_log "installing $missing"
    # shellcheck disable=SC2086
    lab_apt_install $missing
}

# The kernel package linux-image-amd64 currently depends on, e.g. linux-image-6.1.0-37-amd64.
lab_kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null | awk '/^ *Depends: linux-image-[0-9]/ { print $2; exit }'
}

# "package version" of the kernel package file $1.
lab_deb_id() { printf '%s %s' "$(dpkg-deb -f "$1" Package)" "$(dpkg-deb -f "$1" Version)"; }

# Downloads and unpacks the Debian kernel once; with --refresh, again when linux-image-amd64 has moved on.
# RIG_LAB_KERNEL_DEB=FILE uses that kernel package file instead (no download).
lab_fetch_kernel() {
    local refresh=$1 pkg want tmp log=$LAB_CACHE/setup.log
    if [[ -n ${RIG_LAB_KERNEL_DEB:-} ]]; then
        [[ -f $RIG_LAB_KERNEL_DEB ]] || lab_die "RIG_LAB_KERNEL_DEB: no such file: $RIG_LAB_KERNEL_DEB"
        want=$(lab_deb_id "$RIG_LAB_KERNEL_DEB")
        if [[ -d $LAB_KROOT && $(cat "$LAB_CACHE/kernel.package" 2>/dev/null) == "$want" ]]; then return 0; fi
        lab_unpack_kernel "$RIG_LAB_KERNEL_DEB"
        return 0
    fi
    if [[ -z $refresh && -s $LAB_CACHE/kernel.release && -d $LAB_KROOT ]]; then return 0; fi
    if [[ -n $refresh ]]; then apt-get update -q >>"$log" 2>&1 || lab_log "apt-get update failed (log: $log)"; fi
    pkg=$(lab_kernel_package)
    if [[ -z $pkg ]]; then
        lab_log "apt-get update (linux-image-amd64 unknown to apt)"
        apt-get update -q >>"$log" 2>&1 || true
        pkg=$(lab_kernel_package)
        [[ -n $pkg ]] || lab_die "apt knows no linux-image-amd64; check the Debian sources"
    fi
    want="$pkg $(apt-cache policy "$pkg" | awk '/Candidate:/ { print $2 }')"
    if [[ -d $LAB_KROOT && $(cat "$LAB_CACHE/kernel.package" 2>/dev/null) == "$want" ]]; then return 0; fi
    lab_log "downloading $pkg"
    tmp=$(mktemp -d "$LAB_CACHE/download.tmp.XXXXXX")
    if ! (cd "$tmp" && apt-get download "$pkg" >>"$log" 2>&1); then
        apt-get update -q >>"$log" 2>&1 || true
        (cd "$tmp" && apt-get download "$pkg" >>"$log" 2>&1) ||
            { rm -rf "$tmp"; lab_die "apt-get download $pkg failed (log: $log)"; }
    fi
    lab_unpack_kernel "$(echo "$tmp"/*.deb)"
    rm -rf "$tmp"
}

# Unpacks kernel package file $1 into $LAB_KROOT (plain .ko modules, modules.dep) and records it.
lab_unpack_kernel() {
    local deb=$1 tmp mods release
    tmp=$(mktemp -d "$LAB_CACHE/kernel.tmp.XXXXXX")
    dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; lab_die "cannot unpack $deb"; }
    # Newer Debian releases may install modules under /usr/lib/modules: make both paths lead to them.
    if [[ ! -d $tmp/root/lib/modules && -d $tmp/root/usr/lib/modules ]]; then
        mkdir -p "$tmp/root/lib" && ln -s ../usr/lib/modules "$tmp/root/lib/modules"
    elif [[ -d $tmp/root/lib/modules && ! -e $tmp/root/usr/lib/modules ]]; then
        mkdir -p "$tmp/root/usr/lib" && ln -s ../../lib/modules "$tmp/root/usr/lib/modules"
    fi
    mods=$(echo "$tmp"/root/lib/modules/*/)
    release=$(basename "$mods")
    [[ -d $mods && -f $tmp/root/boot/vmlinuz-$release ]] || { rm -rf "$tmp"; lab_die "unexpected layout in $deb"; }
    lab_uncompress_modules "$mods"
    depmod -b "$tmp/root" "$release" || { rm -rf "$tmp"; lab_die "depmod failed"; }
    rm -rf "$LAB_KROOT.old"
    if [[ -d $LAB_KROOT ]]; then mv "$LAB_KROOT" "$LAB_KROOT.old"; fi
    mv "$tmp/root" "$LAB_KROOT"
    lab_deb_id "$deb" >"$LAB_CACHE/kernel.package"
    echo >>"$LAB_CACHE/kernel.package"
    echo "$release" >"$LAB_CACHE/kernel.release"
    rm -rf "$tmp" "$LAB_KROOT.old"
    lab_log "kernel $release unpacked into $LAB_KROOT"
}

# busybox insmod loads plain .ko files only: uncompress modules shipped as .ko.xz/.ko.zst/.ko.gz.
lab_uncompress_modules() {
    local dir=$1 n
    n=$(find "$dir" -name '*.ko.*' | head -n 1 | wc -l)
    [[ $n == 0 ]] && return 0
    lab_log "uncompressing kernel modules"
    command -v xz >/dev/null || lab_apt_install xz-utils
    command -v zstd >/dev/null || lab_apt_install zstd
    find "$dir" -name '*.ko.xz' -print0 | xargs -0 -r -n 64 xz -d -q
    find "$dir" -name '*.ko.zst' -print0 | xargs -0 -r -n 64 zstd -d -q --rm
    find "$dir" -name '*.ko.gz' -print0 | xargs -0 -r -n 64 gzip -d -q
}

# Everything the images are built from; a change rebuilds them.
lab_images_stamp() {
    {
        cat "$LAB_CACHE/kernel.package" 2>/dev/null
        dpkg-query -W -f='${Version}\n' busybox-static 2>/dev/null
        echo "${LAB_L1_MODULES[*]} ${LAB_MODULE_PARAMS[*]}"
        cat "$LAB_D/setup.sh" "$LAB_D"/guest/* "$LAB_D"/src/*
    } | sha256sum | cut -d' ' -f1
}

# Prints the modules to load for $LAB_L1_MODULES, dependencies first, as paths relative to $LAB_MODULES.
lab_module_order() {
    local -A path deps seen=()
    local line p n builtin
    while IFS= read -r line; do
        p=${line%%:*}
        n=${p##*/}
        n=${n%%.ko*}
        n=${n//-/_}
        path[$n]=$p
        deps[$n]=${line#*:}
    done <"$LAB_MODULES/modules.dep"
    builtin=$(sed 's#.*/##; s#\.ko.*##; s#-#_#g' "$LAB_MODULES/modules.builtin" 2>/dev/null)
    visit() {
        local n=$1 d dn
        [[ -n ${seen[$n]:-} ]] && return 0
        seen[$n]=1
        if [[ -z ${path[$n]:-} ]]; then
            grep -qx "$n" <<<"$builtin" && return 0
            lab_die "kernel module $n not found in $LAB_MODULES"
        fi
        for d in ${deps[$n]}; do
            dn=${d##*/}
            dn=${dn%%.ko*}
            visit "${dn//-/_}"
        done
        echo "${path[$n]}"
    }
    for n in "${LAB_L1_MODULES[@]}"; do visit "$n"; done
}

# Builds a gzip'ed newc cpio archive of folder $1 into file $2.
lab_cpio() { (cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet | gzip -6) >"$2"; }

lab_build_images() {
    local refresh=$1 stamp tmp rel n
    stamp=$(lab_images_stamp)
    if [[ -z $refresh && -f $LAB_L1_INITRD && -f $LAB_L2_INITRD && -x $LAB_BIN/vfio-edu && -x $LAB_BIN/kvm-idt &&
        $(cat "$LAB_CACHE/images.stamp" 2>/dev/null) == "$stamp" ]]; then
        return 0
    fi
    lab_log "building the L1 and L2 images"
    tmp=$(mktemp -d "$LAB_CACHE/images.tmp.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT

    mkdir -p "$tmp/bin"
    for n in vfio-edu kvm-idt; do
        gcc -O2 -Wall -o "$tmp/bin/$n" "$LAB_D/src/$n.c" || lab_die "cannot compile $n.c"
    done

    # L2: busybox and an /init that prints the marker (guest/l2-init).
    mkdir -p "$tmp/l2/bin" "$tmp/l2/dev" "$tmp/l2/proc" "$tmp/l2/sys"
    cp /bin/busybox "$tmp/l2/bin/busybox"
    install -m 755 "$LAB_D/guest/l2-init" "$tmp/l2/init"
    mknod -m 600 "$tmp/l2/dev/console" c 5 1 2>/dev/null || true
    lab_cpio "$tmp/l2" "$tmp/l2-initrd.img"

    # L1: busybox, the modules in load order (lib/rig-lab/modules.load) and guest/l1-init as /init.
    mkdir -p "$tmp/l1/bin" "$tmp/l1/dev" "$tmp/l1/proc" "$tmp/l1/sys" "$tmp/l1/lib/rig-lab"
    cp /bin/busybox "$tmp/l1/bin/busybox"
    install -m 755 "$LAB_D/guest/l1-init" "$tmp/l1/init"
    mknod -m 600 "$tmp/l1/dev/console" c 5 1 2>/dev/null || true
    lab_module_order >"$tmp/order" || exit
    while IFS= read -r rel; do
        n=${rel##*/}
        cp "$LAB_MODULES/$rel" "$tmp/l1/lib/rig-lab/$n"
        n=${n%.ko}
        echo "$n.ko ${LAB_MODULE_PARAMS[${n//-/_}]:-}" >>"$tmp/l1/lib/rig-lab/modules.load"
    done <"$tmp/order"
    lab_cpio "$tmp/l1" "$tmp/l1-initrd.img"

    rm -rf "$LAB_BIN"
    mv "$tmp/bin" "$LAB_BIN"
    mv "$tmp/l1-initrd.img" "$LAB_L1_INITRD"
    mv "$tmp/l2-initrd.img" "$LAB_L2_INITRD"
    echo "$stamp" >"$LAB_CACHE/images.stamp"
    lab_log "images ready in $LAB_CACHE ($(wc -l <"$tmp/order") modules in L1)"
}
