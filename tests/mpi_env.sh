# mpi_env.sh — sourced by the MPI tests: mpirun as root on a 2-core machine (oversubscribed
# ranks yield instead of spinning), and tests/lib.sh (ok, bad, report).
. tests/lib.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_mpi_yield_when_idle=1
MPIRUN="mpirun --oversubscribe --bind-to none"
