// A one-line translation unit for the dependency-rule tests: it includes the one header
// CIDNS_PROBE_HEADER names, compiled with the include roots of one module's target.
#include CIDNS_PROBE_HEADER

int cidns_dependency_probe() { return 0; }
