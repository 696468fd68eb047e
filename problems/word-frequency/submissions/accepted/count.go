package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Split(bufio.ScanWords)
	count := map[string]int{}
	for sc.Scan() {
		count[sc.Text()]++
	}
	best, top := "", 0
	for w, c := range count { // map order is random: compare explicitly
		if c > top || (c == top && w < best) {
			best, top = w, c
		}
	}
	fmt.Println(best, top)
}
