// SPDX-License-Identifier: ISC
// benchread - benchio's "read CHUNK PATH" as a Go program has it: PATH
// opened with os.Open and read to its end with os.File.Read into one
// CHUNK-byte slice (a large allocation, so page-aligned, as benchio's
// buffer is).  Prints the loop's own time in seconds and the bytes read.
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: benchread CHUNK PATH")
		os.Exit(2)
	}
	chunk, err := strconv.Atoi(os.Args[1])
	if err != nil || chunk <= 0 {
		fmt.Fprintln(os.Stderr, "benchread: bad chunk", os.Args[1])
		os.Exit(2)
	}
	f, err := os.Open(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchread:", err)
		os.Exit(1)
	}
	buf := make([]byte, chunk)
	for i := range buf {
		buf[i] = 'b'
	}
	var total int64
	t0 := time.Now()
	for {
		n, err := f.Read(buf)
		total += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchread:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("%.9f %d\n", time.Since(t0).Seconds(), total)
}
