package store

import (
	"testing"
	"time"
)

// TestHashingIsBounded: when as many argon2id computations run as the
// bound allows, the next password check waits for one to finish instead of
// taking another 64 MiB.
func TestHashingIsBounded(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for range cap(hashing) {
		hashing <- struct{}{}
	}
	done := make(chan bool)
	go func() {
		ok, _ := CheckPassword(hash, "correct horse")
		done <- ok
	}()
	select {
	case <-done:
		t.Fatal("a password check ran while every hashing slot was taken")
	case <-time.After(100 * time.Millisecond):
	}
	for range cap(hashing) {
		<-hashing
	}
	select {
	case ok := <-done:
		if !ok {
			t.Fatal("the right password was refused")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the password check never ran after slots were freed")
	}
}
