# Sourced by the scripts that set up what the two commands need (setup.sh, install-browser.sh,
# install-libreoffice.sh): their one way to deal with root.
#
#   refuse_sudo_in_a_users_clone NAME
# stops the calling script (NAME) when sudo started it in a clone that belongs to the user who
# ran sudo: every file it made there (.venv, tests/browser/node_modules) would belong to root,
# and the user's next run fail on it; sudo also drops PIP_EXTRA_INDEX_URL and
# LESSON5_DATA_MIRROR. A root shell (a container, CI) is not stopped.
refuse_sudo_in_a_users_clone() {
  if [ -n "${SUDO_UID:-}" ] && [ "$SUDO_UID" != 0 ] && [ "$(id -u)" -eq 0 ] &&
    [ -n "$(find . -maxdepth 0 -user "$SUDO_UID" 2>/dev/null)" ]; then
    echo "$1: started with sudo in a clone that belongs to $SUDO_USER: what it makes here would belong to root." \
      "Install the system packages with the sudo apt-get lines in README.md (\"Before you start\")," \
      "then run the command as $SUDO_USER, without sudo" >&2
    exit 1
  fi
}

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
