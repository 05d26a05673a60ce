// Civil dates and time units live in Primitives, the one place every module shares; schedules
// use them throughout, so importing Scheduling brings them along.
@_exported import Primitives
