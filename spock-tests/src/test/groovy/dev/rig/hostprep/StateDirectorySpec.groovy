package dev.rig.hostprep

import dev.rig.engine.hostprep.Owner
import dev.rig.engine.hostprep.StateDirectory
import spock.lang.Specification

import java.nio.file.Path
import java.time.Instant

/** Where the journal lives, and telling a live run from a dead one. */
class StateDirectorySpec extends Specification {

    def "RIG_STATE_DIR wins; else /var/lib/rig for root; else XDG_STATE_HOME/rig; else ~/.local/state/rig"() {
        expect:
        StateDirectory.resolve(env, root, '/home/alice') == Path.of(expected)

        where:
        env                                                      | root  || expected
        [RIG_STATE_DIR: '/srv/rig', XDG_STATE_HOME: '/x']        | true  || '/srv/rig'
        [XDG_STATE_HOME: '/x']                                   | true  || '/var/lib/rig'
        [XDG_STATE_HOME: '/home/alice/.state']                   | false || '/home/alice/.state/rig'
        [XDG_STATE_HOME: 'relative']                             | false || '/home/alice/.local/state/rig'
        [:]                                                      | false || '/home/alice/.local/state/rig'
    }

    def "a run is alive while its process is; a recycled pid with another start time is not the same run"() {
        expect:
        Owner.run('rig run vm.groovy').isAlive()
        !new Owner(Owner.Kind.RUN, ProcessHandle.current().pid(), Optional.of(Instant.EPOCH), 'old run').isAlive()
        !new Owner(Owner.Kind.RUN, exitedPid(), Optional.empty(), 'gone').isAlive()
    }

    private static long exitedPid() {
        def p = new ProcessBuilder('true').start()
        p.waitFor()
        p.pid()
    }
}
