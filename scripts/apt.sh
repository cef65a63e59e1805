# Sourced by install-browser.sh and install-libreoffice.sh: their one way to install Debian's
# packages, run as root.
#   apt_install NAME [--no-install-recommends] PACKAGE...
# installs the packages with apt-get; where it fails, NAME (the calling script) says which
# step failed, with the command to run by hand, and the function returns 1.
apt_install() {
  local name=$1
  shift
  export DEBIAN_FRONTEND=noninteractive
  # A machine that has just started often has apt's lock taken by its own daily updates:
  # apt-get waits up to five minutes for it, rather than stop at once on "Could not get lock".
  local apt=(apt-get -o DPkg::Lock::Timeout=300 -q)
  if ! "${apt[@]}" update >/dev/null; then
    echo "$name: apt-get update failed (apt's message is above); once it works, run  apt-get install -y $*" >&2
    return 1
  fi
  if ! "${apt[@]}" install -y "$@" >/dev/null; then
    echo "$name: apt-get could not install $* (apt's message is above); run  apt-get install -y $*  to see why" >&2
    return 1
  fi
}
