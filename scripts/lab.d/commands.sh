# shellcheck shell=bash
# The subcommands of scripts/lab (sourced): option parsing, run, check, setup.

# Parses the options of run and check; leaves the remaining words in LAB_ARGS.
lab_parse_options() {
    LAB_ARGS=()
    while (($#)); do
        case $1 in
            --edu-driver | --timeout | --mem | --smp | --rw | --cwd)
                (($# >= 2)) || lab_usage_error "$1 needs a value"
                lab_set_option "$1" "$2"
                shift 2
                ;;
            --edu-driver=* | --timeout=* | --mem=* | --smp=* | --rw=* | --cwd=*) lab_set_option "${1%%=*}" "${1#*=}"; shift ;;
            --keep) OPT_KEEP=1; shift ;;
            -v | --verbose) OPT_VERBOSE=1; shift ;;
            -h | --help) lab_usage; exit 0 ;;
            --) shift; LAB_ARGS+=("$@"); break ;;
            -*) lab_usage_error "unknown option $1" ;;
            *) LAB_ARGS+=("$@"); break ;;
        esac
    done
}

lab_set_option() {
    local value=$2
    case $1 in
        --edu-driver)
            case $value in
                vfio-pci | uio_pci_generic | none) OPT_EDU_DRIVER=$value ;;
                *) lab_usage_error "--edu-driver must be vfio-pci, uio_pci_generic or none" ;;
            esac
            ;;
        --timeout) [[ $value =~ ^[1-9][0-9]*$ ]] || lab_usage_error "--timeout takes seconds"; OPT_TIMEOUT=$value ;;
        --mem) [[ $value =~ ^[1-9][0-9]*[MG]?$ ]] || lab_usage_error "--mem takes a size such as 4G"; OPT_MEM=$value ;;
        --smp) [[ $value =~ ^[1-9][0-9]*$ ]] || lab_usage_error "--smp takes a count"; OPT_SMP=$value ;;
        --cwd)
            [[ -d $value ]] || lab_usage_error "--cwd: no such folder: $value"
            OPT_CWD=$(cd "$value" && pwd -P)
            ;;
        --rw)
            [[ -d $value ]] || lab_usage_error "--rw: no such folder: $value"
            value=$(cd "$value" && pwd -P)
            [[ $value != *$'\n'* && $value != / ]] || lab_usage_error "--rw: unusable folder name"
            case "$value/" in /proc/* | /sys/* | /dev/*) lab_usage_error "--rw: $value is not shareable" ;; esac
            OPT_RW+=("$value")
            ;;
    esac
}

lab_usage_error() {
    lab_log "$*"
    lab_log "see scripts/lab --help"
    exit "$LAB_EXIT_FAILURE"
}

cmd_run() {
    lab_parse_options "$@"
    ((${#LAB_ARGS[@]})) || lab_usage_error "run needs a command"
    local cmd
    if ((${#LAB_ARGS[@]} == 1)); then
        cmd=${LAB_ARGS[0]}
    else
        cmd=$(printf '%q ' "${LAB_ARGS[@]}")
    fi
    lab_setup
    lab_boot "$cmd"
    exit "$LAB_STATUS"
}

cmd_check() {
    lab_parse_options "$@"
    ((${#LAB_ARGS[@]} == 0)) || lab_usage_error "check takes no command"
    OPT_EDU_DRIVER=vfio-pci
    OPT_CWD=/
    lab_setup
    # The check script travels in the run folder, like runner.sh: it must not depend on where the repository is.
    LAB_BOOT_HOOK=lab_check_prepare
    lab_boot "bash /run/rig-lab/checks.sh"
    local out=$LAB_WORK/share/stdout details=$LAB_WORK/share/details.log passed failed names
    passed=$(grep -c '^PASS' "$out" || true)
    failed=$(grep -c '^FAIL' "$out" || true)
    if ! grep -q '^[A-Z]*  *l1-boot' "$out"; then
        printf '%-4s  %-9s %s\n' FAIL l1-boot "L1 did not run the checks (status $LAB_STATUS, see above)"
        failed=$((failed + 1))
    fi
    if [[ $LAB_STATUS == 0 && $failed == 0 ]]; then
        lab_log "check: all $passed passed (wall $LAB_WALL s)"
        exit 0
    fi
    names=$(awk '$1 == "FAIL" { print $2 }' "$out" | tr '\n' ' ')
    if [[ -s $details ]]; then
        lab_log "what the failed checks saw in L1:"
        awk -v names=" $names" '/^==== / { show = index(names, " " $2 " ") > 0 } show' "$details" |
            tail -n 100 | sed 's/^/  | /' >&2
    fi
    lab_log "check: $failed failed, $passed passed (wall $LAB_WALL s)"
    exit 1
}

lab_check_prepare() { cp "$LAB_D/guest/checks.sh" "$1/checks.sh"; }

cmd_setup() {
    local refresh=""
    while (($#)); do
        case $1 in
            --refresh) refresh=1 ;;
            -h | --help) lab_usage; exit 0 ;;
            *) lab_usage_error "unknown setup option $1" ;;
        esac
        shift
    done
    lab_setup "$refresh"
    lab_log "ready: kernel $LAB_KVER ($(cut -d' ' -f2 "$LAB_CACHE/kernel.package")), cache $LAB_CACHE"
}
