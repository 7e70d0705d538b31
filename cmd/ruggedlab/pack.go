package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"ruggedlab/pack"
	"ruggedlab/store"
)

// signingKey runs "ruggedlab signing-key": the instance's public key (made
// if the database has none yet), base64, and its fingerprint.
func signingKey(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return withCurrentStore(ctx, "signing-key", "Print the base64 Ed25519 public key that signs this instance's evidence packs.", args, getenv, stderr,
		func(st *store.Store) error {
			k, err := st.SigningKey(ctx)
			if err != nil {
				return err
			}
			pub := k.Public().(ed25519.PublicKey)
			fmt.Fprintln(stdout, base64.StdEncoding.EncodeToString(pub))
			fmt.Fprintln(stderr, "ed25519 fingerprint", pack.Fingerprint(pub))
			return nil
		})
}

// verifyPack runs "ruggedlab verify-pack FILE.zip [--key KEY]": exit 0
// when every hash and the signature hold, 1 naming each file that differs.
func verifyPack(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify-pack FILE.zip", "Check every SHA-256 of an evidence pack's manifest and its Ed25519 signature, offline.", stderr)
	keyArg := fs.String("key", "", "base64 public key the pack must be signed with (GET /api/v1/signing-key); without it only the key the manifest names is checked")
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" {
		return usageError{"verify-pack needs the pack's file name"}
	}
	var key ed25519.PublicKey
	if *keyArg != "" {
		k, err := pack.ParseKey(*keyArg)
		if err != nil {
			return usageError{"--key: " + err.Error()}
		}
		key = k
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	m, problems, err := pack.Verify(data, key)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, "FAIL", p.String())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %d problem(s): the pack is not as it was signed", file, len(problems))
	}
	sum := sha256.Sum256(data)
	signer := "the key the manifest names (give --key to check who signed)"
	if key != nil {
		signer = "key " + pack.Fingerprint(key)
	}
	fmt.Fprintf(stdout, "OK %s: %d files, every SHA-256 matches, manifest signed by %s; zip SHA-256 %s\n", file, len(m.Files), signer, hex.EncodeToString(sum[:]))
	return nil
}
