package main

import "runtime"

func runtimeNumCPU() int     { return runtime.NumCPU() }
func runtimeVersion() string { return runtime.Version() }
