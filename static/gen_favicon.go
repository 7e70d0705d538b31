//go:build ignore

// gen_favicon draws favicon.ico from the same geometry as favicon.svg, so the
// icon can be rebuilt without an image editor: go generate ./static
//
// The ICO holds 16, 32 and 48 px PNG images (PNG inside ICO is supported by
// every browser since IE 9). Shapes are anti-aliased by 4×4 supersampling.
package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"log"
	"os"
)

// rect is an axis-aligned rectangle in the 32×32 design space of favicon.svg,
// with an optional corner radius.
type rect struct {
	x0, y0, x1, y1, r float64
	c                 color.NRGBA
}

var shapes = []rect{
	{0, 0, 32, 32, 6, color.NRGBA{0x1f, 0x4e, 0x79, 0xff}},
	{6, 17, 11, 26, 0, color.NRGBA{0xff, 0xff, 0xff, 0xff}},
	{13.5, 11, 18.5, 26, 0, color.NRGBA{0xff, 0xff, 0xff, 0xff}},
	{21, 6, 26, 26, 0, color.NRGBA{0xe6, 0x9f, 0x00, 0xff}},
}

func (s rect) contains(x, y float64) bool {
	if x < s.x0 || x >= s.x1 || y < s.y0 || y >= s.y1 {
		return false
	}
	// Outside the rounded corners: distance to the nearest corner centre.
	cx := min(max(x, s.x0+s.r), s.x1-s.r)
	cy := min(max(y, s.y0+s.r), s.y1-s.r)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= s.r*s.r
}

func draw(size int) *image.NRGBA {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	scale := 32 / float64(size)
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64 // premultiplied sums
			for i := 0; i < ss; i++ {
				for j := 0; j < ss; j++ {
					x := (float64(px) + (float64(i)+0.5)/ss) * scale
					y := (float64(py) + (float64(j)+0.5)/ss) * scale
					var c color.NRGBA
					for _, s := range shapes {
						if s.contains(x, y) {
							c = s.c
						}
					}
					al := float64(c.A) / 255
					r += float64(c.R) * al
					g += float64(c.G) * al
					b += float64(c.B) * al
					a += al
				}
			}
			n := float64(ss * ss)
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r/a + 0.5), G: uint8(g/a + 0.5), B: uint8(b/a + 0.5),
				A: uint8(a/n*255 + 0.5),
			})
		}
	}
	return img
}

func main() {
	sizes := []int{16, 32, 48}
	var pngs [][]byte
	for _, s := range sizes {
		var buf bytes.Buffer
		if err := png.Encode(&buf, draw(s)); err != nil {
			log.Fatal(err)
		}
		pngs = append(pngs, buf.Bytes())
	}
	var out bytes.Buffer
	le := binary.LittleEndian
	binary.Write(&out, le, [3]uint16{0, 1, uint16(len(sizes))}) // reserved, type=icon, count
	offset := 6 + 16*len(sizes)
	for i, s := range sizes {
		out.Write([]byte{byte(s), byte(s), 0, 0}) // width, height, palette, reserved
		binary.Write(&out, le, [2]uint16{1, 32})  // planes, bits per pixel
		binary.Write(&out, le, [2]uint32{uint32(len(pngs[i])), uint32(offset)})
		offset += len(pngs[i])
	}
	for _, p := range pngs {
		out.Write(p)
	}
	if err := os.WriteFile("favicon.ico", out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
