// SPDX-License-Identifier: ISC
// events - a Go program as a user has one: goroutines that sleep, then
// os.ReadFile of its input and os.WriteFile of its output, both channels.
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	res := make([]int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) { defer wg.Done(); time.Sleep(10 * time.Millisecond); res[i] = i * i }(i)
	}
	wg.Wait()
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "read:", err)
		os.Exit(3)
	}
	if err := os.WriteFile(os.Args[2], []byte(fmt.Sprintf("%v %d\n", res, len(b))), 0644); err != nil {
		fmt.Fprintln(os.Stderr, "write:", err)
		os.Exit(4)
	}
	fmt.Println("ok", len(b))
}
