# SPDX-License-Identifier: GPL-2.0
# bash completion for roamctl(8): options, objects, commands, and the
# arguments that name files, namespaces and connection IDs.

_roamctl()
{
	local cur prev words cword i obj= cmd=
	_init_completion || return

	case $prev in
	-n|-netns|--netns)
		COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | awk '{print $1}')" -- "$cur"))
		return ;;
	-b|-batch|--batch|secret)
		_filedir
		return ;;
	esac
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-n|-netns|--netns|-b|-batch|--batch) ((i++)) ;;
		-*) ;;
		*) if [ -z "$obj" ]; then obj=${words[i]}; elif [ -z "$cmd" ]; then cmd=${words[i]}; fi ;;
		esac
	done
	if [ -z "$obj" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-j -p -n -b -f -V -h --json --pretty --netns --batch --force --version --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "config stats listener conn key monitor help" -- "$cur"))
		fi
		return
	fi
	if [ -z "$cmd" ]; then
		case $obj in
		config) COMPREPLY=($(compgen -W "show set help" -- "$cur")) ;;
		stats|listener) COMPREPLY=($(compgen -W "show help" -- "$cur")) ;;
		conn) COMPREPLY=($(compgen -W "show migrate help" -- "$cur")) ;;
		key) COMPREPLY=($(compgen -W "add del show genkey help" -- "$cur")) ;;
		esac
		return
	fi
	case $obj/$cmd/$prev in
	conn/migrate/migrate) COMPREPLY=($(compgen -W "id" -- "$cur")) ;;
	key/add/[0-9]*) COMPREPLY=($(compgen -W "secret" -- "$cur")) ;;
	key/add/*) [ "$prev" != secret ] && [ "$prev" != owner ] &&
		COMPREPLY=($(compgen -W "owner" -- "$cur")) ;;
	esac
} &&
complete -F _roamctl roamctl
