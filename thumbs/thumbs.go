// Package thumbs makes the small JPEG previews of photo attachments that
// run pages show. It is pure: bytes in, bytes out.
package thumbs

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // register the decoders of the accepted types
	"math"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// Size is the longest side of a thumbnail, in pixels.
const Size = 240

// MaxPixels bounds the images decoded (a 20 MB file may claim 60,000 ×
// 60,000 pixels and ask for gigabytes): larger ones get no thumbnail.
const MaxPixels = 80_000_000

// Make decodes a JPEG, PNG or WebP photo and returns a JPEG at most Size
// pixels on its longest side (never enlarged).
func Make(photo []byte) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(photo))
	if err != nil {
		return nil, fmt.Errorf("not a readable image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return nil, fmt.Errorf("image of %d × %d pixels: too large to preview", cfg.Width, cfg.Height)
	}
	src, _, err := image.Decode(bytes.NewReader(photo))
	if err != nil {
		return nil, fmt.Errorf("not a readable image: %w", err)
	}
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy(), Size)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// fit scales w × h down to at most size on the longest side.
func fit(w, h, size int) (int, int) {
	if w <= size && h <= size {
		return w, h
	}
	if w >= h {
		return size, max(1, int(math.Round(float64(h)*float64(size)/float64(w))))
	}
	return max(1, int(math.Round(float64(w)*float64(size)/float64(h)))), size
}
