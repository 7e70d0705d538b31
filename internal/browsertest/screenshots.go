package browsertest

import (
	"os"
	"path/filepath"
	"runtime"
)

// ScreenshotDir is where Visit puts screenshots given as relative paths:
// $RUGGEDLAB_SCREENSHOTS if set (a relative value is taken from the
// repository root, so every package's tests agree), else <repo root>/screenshots.
// Tests run with the package directory as working directory, so a plain
// relative path would scatter screenshots across the tree.
func ScreenshotDir() string {
	dir := os.Getenv("RUGGEDLAB_SCREENSHOTS")
	if dir == "" {
		dir = "screenshots"
	}
	if filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(repoRoot(), dir)
}

// repoRoot finds the module root: the nearest directory with a go.mod above
// the working directory, else the one above this source file (for binaries
// run elsewhere), else the working directory.
func repoRoot() string {
	if wd, err := os.Getwd(); err == nil {
		if root, ok := findGoMod(wd); ok {
			return root
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		if root, ok := findGoMod(filepath.Dir(file)); ok {
			return root
		}
	}
	wd, _ := os.Getwd()
	return wd
}

func findGoMod(dir string) (string, bool) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
