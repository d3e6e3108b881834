// Rig's JShell startup: the Java API in scope. Try:
//   var rig = Rig.withDefaultBackend();
//   var vm = Rig.vm("hello").memory("64M").serial("stdout").build();
//   System.out.print(PlanText.render(rig.plan(vm)));  rig.run(vm)
import dev.rig.engine.Rig;
import dev.rig.engine.model.*;
import dev.rig.engine.spi.*;
import dev.rig.engine.plan.PlanText;
import dev.rig.engine.plan.PlanJson;
import dev.rig.engine.host.*;
import dev.rig.engine.lifecycle.VmSession;
import java.nio.file.Path;
