package main

import (
	"fmt"
	"io"
	"strings"
)

// subcommand is one verb of a command group ("audit verify").
type subcommand struct {
	name string
	run  func(args []string) error
}

// dispatch runs the subcommand args[0] names with the rest of args. Help
// prints usage to stdout; no or an unknown subcommand prints it to stderr
// and is a usage error naming the choices.
func dispatch(group, usage string, args []string, stdout, stderr io.Writer, subs ...subcommand) error {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{group + " needs a subcommand: " + oneOf(names)}
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(args[1:])
		}
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown %s subcommand %q", group, args[0])}
}

// oneOf spells choices as "a", "a or b", "a, b or c".
func oneOf(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}
