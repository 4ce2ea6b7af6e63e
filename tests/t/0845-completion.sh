# 0845-completion.sh - bash completion for fmctl: `complete -p fmctl`, the
# commands (every one `fmctl --help` lists), option values, orgs and archive
# paths read from the store given with -s.
source "$FMFS_TOP/tests/lib.sh"
store=$T/store
make_demo "$store"
source "$TOP/tools/fmctl.bash-completion"
complete -p fmctl | grep -q -- '-F _fmctl fmctl' || fail "complete -p fmctl: $(complete -p fmctl)"

# comp WORD...: what completing the last word offers, sorted, one line
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_fmctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

note "every command of fmctl --help completes"
want=$(fmctl --help | awk '$1 == "fmctl" { print $2 }' | sort -u | tr '\n' ' ' | sed 's/ $//')
[ -n "$want" ] || fail "no commands in fmctl --help"
assert_eq "$(comp fmctl "")" "$want" "commands"
assert_eq "$(comp fmctl ver)" "verify" "a prefix"
assert_eq "$(comp fmctl --pr)" "--progress" "a global option"

note "option values"
assert_eq "$(comp fmctl ingest --kind "")" "invoice report revenue soa usage" "--kind"
assert_eq "$(comp fmctl ingest --direction in)" "incoming" "--direction"
assert_eq "$(comp fmctl usage --type "")" "call dnc fax sms" "--type"
assert_eq "$(comp fmctl verify --re)" "--remote --repair" "verify options"
assert_eq "$(comp fmctl report "")" "subscription-billing" "report kind"

note "orgs and archive paths from the store"
assert_eq "$(comp fmctl -s "$store" ingest --org "")" "$(fmctl -s "$store" ls / | awk '{print $4}' | tr -d / | sort | tr '\n' ' ' | sed 's/ $//')" "--org"
org=$(fmctl -s "$store" ls / | awk 'NR == 1 { print $4 }' | tr -d /)
assert_eq "$(comp fmctl -s "$store" ls "/$org/Inv")" "/$org/Invoices/" "a folder"
assert_eq "$(comp fmctl -s "$store" stat "/$org/Invoices/")" "/$org/Invoices/Incoming/ /$org/Invoices/Outgoing/" "a folder's children"
FMFS_STORE=$store
assert_eq "$(comp fmctl cat "/$org/Us")" "/$org/Usage/" "the store from FMFS_STORE"
