#!/bin/bash
# Runs inside the tier's VM (as root, via vng --exec): load uinput and evdev, then the kernel tests.
# Usage: guest.sh REPO PYTHON ARTIFACTS [pytest args...]; writes ARTIFACTS/booted and ARTIFACTS/rc.
set -u
repo=$1 py=$2 art=$3
shift 3
echo "$(uname -r)" > "$art/booted"
cd "$repo" || exit 97
for m in uinput evdev; do
  modprobe "$m" || echo "kernel tier (guest): modprobe $m failed"
done
ls -l /dev/uinput || true
mkdir -p /tmp/home
export HOME=/tmp/home STEADYINPUT_KERNEL_VM=1 PYTHONDONTWRITEBYTECODE=1 MPLCONFIGDIR=/tmp/home/mpl
export STEADYINPUT_KERNEL_ARTIFACTS="$art"  # where tests keep what they measured
"$py" -m pytest -q -rs -p no:cacheprovider --junitxml="$art/junit.xml" tests/test_evdev_kernel.py tests/test_evdev_accel_kernel.py "$@"
rc=$?
echo "$rc" > "$art/rc"
exit "$rc"
