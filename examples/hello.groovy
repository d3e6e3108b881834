// The smallest Rig script: Rig's built-in guest prints a greeting on the serial port, checks an MMIO
// round trip and leaves through the debug-exit port; `rig run` exits with the guest's code (0).
vm {
    cpus 1
    memory '64M'
    guest 'hello'
    serial 'stdout'
}
