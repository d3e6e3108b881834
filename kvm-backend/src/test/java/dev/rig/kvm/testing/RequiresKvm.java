package dev.rig.kvm.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test that runs guests or creates VMs on this machine's /dev/kvm. Tagged {@code kvm}: where the host has no
 * usable KVM, Maven skips it and scripts/test runs the tests tagged {@code kvm} in the lab's L1, whose KVM is real
 * (see {@link KvmAvailable}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(KvmAvailable.TAG)
@ExtendWith(KvmAvailable.class)
public @interface RequiresKvm {}
