"""``certorder completion bash``: shell completion, generated from the parser itself, so
it can never list a command or option that does not exist.

    eval "$(certorder completion bash)"     # e.g. in ~/.bashrc
"""

from __future__ import annotations

import argparse

from certorder.cli.errors import UsageError


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(option for action in parser._actions for option in action.option_strings)


def bash_script(parser: argparse.ArgumentParser) -> str:
    """A bash completion function for every command level of ``parser``."""
    cases = []
    top = _subcommands(parser)
    cases.append(f'    "") words="{" ".join([*top, *_options(parser)])}" ;;')
    for group, group_parser in top.items():
        commands = _subcommands(group_parser)
        cases.append(f'    "{group}") words="{" ".join([*commands, *_options(group_parser)])}" ;;')
        for command, command_parser in commands.items():
            options = " ".join(_options(command_parser))
            cases.append(f'    "{group} {command}") words="{options}" ;;')
    body = "\n".join(cases)
    return f'''_certorder() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${{COMP_WORDS[i]}}"
    [[ "$word" == -* ]] && continue
    [[ -z "$path" ]] && path="$word" || {{ [[ "$path" != *" "* ]] && path="$path $word"; }}
  done
  local words=""
  case "$path" in
{body}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o default -F _certorder certorder
'''


def run(args: argparse.Namespace, settings: object) -> int:
    from certorder.cli.main import build_parser  # the whole parser, at run time only

    if args.shell != "bash":
        raise UsageError(f"no completion for {args.shell}; only bash")
    print(bash_script(build_parser()), end="")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("completion", help="print shell completion (eval it in ~/.bashrc)")
    p.add_argument("shell", choices=("bash",), help="the shell")
    p.set_defaults(handler=run)
