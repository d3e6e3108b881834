# Sourced by scripts/test-lab (uses its $here, $work and check): the JUnit and Spock tests tagged `kvm`
# (@RequiresKvm, KvmAvailable) on L1's real KVM. Maven skips them where this host's /dev/kvm does not open (a
# machine without KVM, or whose kvm_pvm module did not bind); then they run here, with RIG_KVM_TESTS=required so
# that none can pass by skipping. Where the host's KVM works Maven ran them already and this stage is skipped,
# unless RIG_LAB_KVM_TESTS=always. Needs the build's class path list (spock-tests/target/test-classpath.txt).
. scripts/lib/kvm.sh
if [ "${RIG_LAB_KVM_TESTS:-auto}" != always ] && rig_host_kvm_opens; then
    echo "SKIP the tests tagged kvm in L1: this host's /dev/kvm opens, so Maven ran them here"
else
    roots="$here/kvm-backend/target/test-classes:$here/vfio-backend/target/test-classes:$here/spock-tests/target/test-classes"
    kvm_cp="$roots:$(cat "$here/spock-tests/target/test-classpath.txt" 2>/dev/null)"
    scripts/lab run --timeout 1800 --rw "$here" --cwd "$here" \
        "RIG_KVM_TESTS=required \"\$JAVA_HOME/bin/java\" --enable-native-access=ALL-UNNAMED -Drig.home=\"$here\" \
            -cp \"$kvm_cp\" org.junit.platform.console.ConsoleLauncher execute --disable-banner \
            --details=tree --details-theme=ascii --disable-ansi-colors --reports-dir \"$work/kvm-reports\" --fail-if-no-tests --include-tag kvm --include-classname '^.*(Spec|Test)$' --scan-class-path \"$roots\" \
            > \"$work/kvm-tests.txt\" 2>&1; echo \$? > \"$work/kvm-tests-status.txt\"" >"$work/lab-kvm.log" 2>&1
    kvm_found=$(sed -n 's/^\[ *\([0-9]*\) tests found *\]$/\1/p' "$work/kvm-tests.txt" 2>/dev/null)
    kvm_ok=$(sed -n 's/^\[ *\([0-9]*\) tests successful *\]$/\1/p' "$work/kvm-tests.txt" 2>/dev/null)
    check "the tests tagged kvm pass on L1's KVM (${kvm_ok:-?} of ${kvm_found:-?} successful, none skipped)" \
        bash -c "[ \"\$(cat '$work/kvm-tests-status.txt' 2>/dev/null)\" = 0 ] && [ -n '$kvm_found' ] && [ '$kvm_found' = '$kvm_ok' ]"
    if [ "$(cat "$work/kvm-tests-status.txt" 2>/dev/null)" != 0 ]; then
        echo "--- kvm tests"; tail -60 "$work/kvm-tests.txt" 2>/dev/null; tail -10 "$work/lab-kvm.log"
    fi
fi
