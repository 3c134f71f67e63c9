# Sourced by tools/test and tools/build-book: run named steps, time each, stop at the first failure.
STEP_TIMES=()
step() {
    local name=$1; shift
    echo
    echo "=== $name"
    local start=$SECONDS status=0
    "$@" || status=$?
    STEP_TIMES+=("$(printf '%-16s %5ds  %s' "$name" $((SECONDS - start)) "$([ $status = 0 ] && echo ok || echo FAILED)")")
    if [ $status != 0 ]; then
        step_summary
        echo "FAILED: step '$name' exited with status $status" >&2
        exit $status
    fi
}
step_summary() {
    echo
    echo "=== wall time per step"
    printf '%s\n' "${STEP_TIMES[@]}"
}
# Use the course's MNIST copy when it sits beside the repository (as on CI), unless told otherwise.
if [ -z "${GAN_DATA_DIR:-}" ] && [ -d ../shared/data/MNIST/raw ]; then
    export GAN_DATA_DIR=$(cd ../shared/data && pwd)
fi
# Progress bars are for people; the stored and re-executed notebooks must not contain them.
export GAN_PROGRESS=0
# How CI re-checks chapters against their stored outputs (tools/test for the book, tools/run-chapter for
# one): strict nbval, with the sanitize file, on one thread per chapter. The stored outputs come from the
# machine's own thread count, so a cell whose printed numbers depend on the thread count must be tagged
# nbval-ignore-output.
NBVAL=(env OMP_NUM_THREADS=1 .venv/bin/python -m pytest --nbval --nbval-current-env
       --nbval-sanitize-with tools/nbval-sanitize.cfg)
