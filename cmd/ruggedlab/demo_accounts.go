package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"ruggedlab/auth"
	"ruggedlab/models"
	"ruggedlab/store"
)

// addDemoAccounts creates demo-admin, demo-technician and demo-evaluator,
// each with a random password, and prints them once on stdout: a demo
// should be explorable in every role, but no fixed password may ever
// guard a server that someone later fills with real data.
func addDemoAccounts(ctx context.Context, st *store.Store, stdout io.Writer) error {
	var logins []string
	for _, role := range []models.Role{models.Admin, models.Technician, models.Evaluator} {
		name, password := "demo-"+string(role), auth.RandomPassword()
		if _, _, err := st.CreateAccount(ctx, name, role, password); err != nil {
			if models.ErrorCode(err) == models.Conflict {
				continue // made by an earlier demo; its password was shown then
			}
			return err
		}
		logins = append(logins, name+" / "+password)
	}
	if len(logins) > 0 {
		fmt.Fprintf(stdout, "Demo logins: %s (shown once; log in at /login)\n", strings.Join(logins, ", "))
	}
	return nil
}
