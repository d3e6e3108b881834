// The hello VM from JShell: define it with the fluent API, print its plan, run it.
//   bin/rig shell examples/hello.jsh
var rig = Rig.withDefaultBackend();
var vm = Rig.vm("hello").cpus(1).memory("64M").guest("hello").serial("stdout").build();
System.out.print(PlanText.render(rig.plan(vm)));
var outcome = rig.run(vm);
System.out.println(outcome.describe() + ", exit status " + outcome.exitStatus());
/exit
