# Sourced by .ci/run, scripts/test and the lab's kvm-tests.sh: whether this host's /dev/kvm opens (a device node
# whose driver is bound). -c first: bash's <> would create a regular file where there is no node.
rig_host_kvm_opens() { [ -c /dev/kvm ] && (exec 3<>/dev/kvm) 2>/dev/null; }
