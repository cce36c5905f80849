// V8 heuristics the long-running processes turn off before they allocate anything, imported first by each
// entry point so that its flags are set before any other module runs.
//
// Allocation-site pretenuring: when most objects from one allocation site survive a scavenge, V8 starts
// allocating that site's objects directly in the old generation. Building the state of a large fleet (10,000
// server records at start) sets it off for the request path too: the router's and node:http's per-request
// objects then go to the old generation, where they die, and every scavenge has to walk their pointers into
// the young generation. Measured with bench/api-ladder-server over 10,000 servers: scavenges took 8.9 ms
// instead of 4.0 and an allocation cost 1.45× the CPU it costs over 100 servers; without pretenuring the two
// fleet sizes cost the same. What it would save (copying objects that really live long) is small here: the
// records are made once and reservations are a hundred bytes each.
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

for (const flag of V8_FLAGS) setFlagsFromString(flag);
