package bad

import (
	"fmt"
	"time"
)

var started = time.Now()

var day = time.Now().Format("2006-01-02")

var loadedAt time.Time

var cache = map[string]string{}

func init() {
	loadedAt = time.Now()
}

func cacheKey(id string) string {
	return id + "#" + day // want `day holds time.Now\(\) from init \(bad.go:10\) and is read here as the time: an execution environment serves invocations for hours`
}

func lookup(id string) (string, bool) {
	key := fmt.Sprintf("%s-%d", id, started.Unix()) // want `started holds time.Now\(\) from init \(bad.go:8\)`
	if time.Now().After(loadedAt.Add(time.Hour)) {  // want `loadedAt holds time.Now\(\) from init \(bad.go:17\)`
		return "", false
	}
	v, ok := cache[key]
	return v, ok
}
