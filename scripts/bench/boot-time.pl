#!/usr/bin/perl
# The timing half of scripts/bench/boot-time; runs inside the lab's L1 (see that script). For each round it
# starts `rig run SCRIPT` and QEMU (with KVM, paused with -S until its QMP socket says cont), reads each one's
# serial console from stdout, and takes the time at which the marker line arrives: from process start, and from
# the moment the VMM starts its vCPUs (Rig's before('booted') hook prints the time; for QEMU, the QMP cont).
# Round 0 warms caches (the JVM's class-data archive, the page cache) and is not counted.
# Usage: boot-time.pl ROUNDS MARKER -- RIG-COMMAND... -- QEMU-COMMAND...   (QEMU-COMMAND gets -S -qmp added)
use strict;
use warnings;
use IO::Socket::UNIX;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

my ($rounds, $marker, $sep, @rest) = @ARGV;
die "usage: boot-time.pl ROUNDS MARKER -- RIG-COMMAND... -- QEMU-COMMAND...\n" unless defined $sep && $sep eq '--';
my $split = (grep { $rest[$_] eq '--' } 0 .. $#rest)[0];
die "boot-time.pl: no -- before the QEMU command\n" unless defined $split;
my @rig = @rest[0 .. $split - 1];
my @qemu = @rest[$split + 1 .. $#rest];
my $LIMIT = 300;   # seconds one boot may take (start to exit) before the round fails

# Runs a command with stdout on a pipe; returns (pid, handle). stderr goes to ours.
sub spawn {
    my @cmd = @_;
    my $pid = open(my $out, '-|') // die "boot-time.pl: fork: $!\n";
    if (!$pid) { exec @cmd or die "boot-time.pl: cannot run $cmd[0]: $!\n"; }
    return ($pid, $out);
}

# Reads lines until the marker; returns its arrival time and the vCPU start time printed by Rig's hook.
my @seen;   # the console lines of the current boot, shown when it fails
sub await_marker {
    my ($out, $what) = @_;
    my $vcpus;
    @seen = ();
    while (my $line = <$out>) {
        push @seen, $line;
        $vcpus = $1 / 1e6 if $line =~ /RIG-BENCH-VCPUS-START (\d+)/;
        return (time, $vcpus) if index($line, $marker) >= 0;
    }
    close $out;
    die sprintf("%s ended (status %d) without printing %s; its last lines:\n%s", $what, $? >> 8, $marker,
        join('', @seen[($#seen > 15 ? $#seen - 15 : 0) .. $#seen]));
}

# Runs one boot under a watchdog: every step that waits (QMP, the console, the VMM's exit) is bounded, and a
# VMM that overruns is killed, so a hang costs one round, not the whole run.
sub bounded {
    my ($what, $body) = @_;
    my $pid;
    my @r = eval {
        local $SIG{ALRM} = sub { die "no result within $LIMIT s\n" };
        alarm $LIMIT;
        my @got = $body->(\$pid);
        alarm 0;
        @got;
    };
    alarm 0;
    return @r unless $@;
    chomp(my $why = $@);
    if ($pid) { kill 'KILL', $pid; waitpid $pid, 0; }
    die "boot-time.pl: $what: $why\n";
}

# Lets the guest finish (the lab's init reboots right after its marker) and reaps the VMM.
sub finish {
    my ($pid, $out) = @_;
    1 while <$out>;
    close $out;
}

sub run_rig {
    return bounded('rig', sub {
        my ($pid_ref) = @_;
        my $t0 = time;
        my ($pid, $out) = spawn(@rig);
        $$pid_ref = $pid;
        my ($t, $vcpus) = await_marker($out, 'rig');
        finish($pid, $out);
        die "its script printed no RIG-BENCH-VCPUS-START\n" unless defined $vcpus;
        return ($t - $t0, $t - $vcpus);
    });
}

sub qmp {
    my ($sock, $command) = @_;
    print $sock "{\"execute\": \"$command\"}\n";
    while (my $reply = <$sock>) { return if $reply =~ /"return"/; die "QMP $command: $reply" if $reply =~ /"error"/; }
    die "QMP closed during $command\n";
}

sub run_qemu {
    return bounded('qemu', sub {
        my ($pid_ref) = @_;
        my $socket = "/tmp/boot-time-qmp.$$";
        unlink $socket;
        my $t0 = time;
        my ($pid, $out) = spawn(@qemu, '-S', '-qmp', "unix:$socket,server=on,wait=off");
        $$pid_ref = $pid;
        my $sock;
        for (1 .. 6000) {
            last if $sock = IO::Socket::UNIX->new(Peer => $socket);
            die "QEMU exited before its QMP socket opened\n" if waitpid($pid, WNOHANG) == $pid;
            sleep 0.005;
        }
        die "no QMP socket at $socket\n" unless $sock;
        $sock->autoflush(1);
        <$sock>;   # the greeting
        qmp($sock, 'qmp_capabilities');
        my $start = time;
        qmp($sock, 'cont');
        my ($t) = await_marker($out, 'qemu');
        close $sock;
        finish($pid, $out);
        unlink $socket;
        return ($t - $t0, $t - $start);
    });
}

sub median {
    my @s = sort { $a <=> $b } @_;
    return @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2;
}

my (%total, %guest);
for my $round (0 .. $rounds) {
    # Alternate which VMM goes first so that neither always follows the other's cache effects.
    my @order = $round % 2 ? ('qemu', 'rig') : ('rig', 'qemu');
    my %r;
    for my $vmm (@order) {
        $r{$vmm} = [eval { $vmm eq 'rig' ? run_rig() : run_qemu() }];
        if ($@) { print STDERR $@; last; }
    }
    if (grep { !@{$r{$_} // []} } 'rig', 'qemu') { print "boot-time: round $round failed; not counted\n"; next; }
    my $label = $round == 0 ? 'warm-up' : "round $round/$rounds";
    printf "boot-time: %-11s rig %6.2f s (vCPUs to marker %6.2f s)   qemu %6.2f s (vCPUs to marker %6.2f s)\n",
        $label, @{$r{rig}}, @{$r{qemu}};
    next if $round == 0;
    for my $vmm ('rig', 'qemu') { push @{$total{$vmm}}, $r{$vmm}[0]; push @{$guest{$vmm}}, $r{$vmm}[1]; }
}
die "boot-time.pl: no round succeeded\n" unless $total{rig};
my $counted = @{$total{rig}};
for (['process start to the marker', \%total], ['vCPUs start to the marker', \%guest]) {
    my ($what, $t) = @$_;
    my ($rig, $qemu) = (median(@{$t->{rig}}), median(@{$t->{qemu}}));
    printf "boot-time: median of %d, %s: rig %.2f s, qemu %.2f s, ratio rig/qemu %.2f\n",
        $counted, $what, $rig, $qemu, $rig / $qemu;
}
