// A JSON reader for the protocol's inputs, without reflection (see json.go for why): one pass
// over the line, strings without escapes returned as slices of it, unknown fields skipped.

package raftcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Reader reads JSON values from one line in order.
type Reader struct {
	data     []byte
	position int
}

// NewReader reads data.
func NewReader(data []byte) *Reader {
	return &Reader{data: data}
}

func (r *Reader) fail(expected string) error {
	if r.position >= len(r.data) {
		return fmt.Errorf("expected %s at offset %d, found the end of the line", expected, r.position)
	}
	return fmt.Errorf("expected %s at offset %d, found %q", expected, r.position, r.data[r.position])
}

func (r *Reader) skipSpace() {
	for r.position < len(r.data) {
		switch r.data[r.position] {
		case ' ', '\t', '\n', '\r':
			r.position++
		default:
			return
		}
	}
}

// peek is the next byte past whitespace, or 0 at the end.
func (r *Reader) peek() byte {
	r.skipSpace()
	if r.position >= len(r.data) {
		return 0
	}
	return r.data[r.position]
}

func (r *Reader) expect(c byte) error {
	if r.peek() != c {
		return r.fail(strconv.QuoteRune(rune(c)))
	}
	r.position++
	return nil
}

// Null consumes a null if one comes next.
func (r *Reader) Null() bool {
	if r.peek() == 'n' && len(r.data)-r.position >= 4 && string(r.data[r.position:r.position+4]) == "null" {
		r.position += 4
		return true
	}
	return false
}

// Object calls field for each key of an object; field must consume the key's value.
func (r *Reader) Object(field func(key []byte) error) error {
	if err := r.expect('{'); err != nil {
		return err
	}
	if r.peek() == '}' {
		r.position++
		return nil
	}
	for {
		key, err := r.StringBytes()
		if err != nil {
			return err
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		switch r.peek() {
		case ',':
			r.position++
		case '}':
			r.position++
			return nil
		default:
			return r.fail(`"," or "}"`)
		}
	}
}

// Array calls item for each element of an array; item must consume it. A null is an empty
// array, as encoding/json reads it into a slice.
func (r *Reader) Array(item func() error) error {
	if r.Null() {
		return nil
	}
	if err := r.expect('['); err != nil {
		return err
	}
	if r.peek() == ']' {
		r.position++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.position++
		case ']':
			r.position++
			return nil
		default:
			return r.fail(`"," or "]"`)
		}
	}
}

// StringBytes reads a string. Without escapes it is a slice of the line (valid until the line
// is reused); with them, encoding/json unquotes it.
func (r *Reader) StringBytes() ([]byte, error) {
	if r.peek() != '"' {
		return nil, r.fail("a string")
	}
	start := r.position
	escaped := false
	for index := start + 1; index < len(r.data); index++ {
		switch c := r.data[index]; {
		case c == '\\':
			escaped = true
			index++
		case c == '"':
			r.position = index + 1
			if !escaped {
				return r.data[start+1 : index], nil
			}
			var s string
			if err := json.Unmarshal(r.data[start:index+1], &s); err != nil {
				return nil, err
			}
			return []byte(s), nil
		case c < 0x20:
			r.position = index
			return nil, r.fail("no control character in a string")
		}
	}
	r.position = len(r.data)
	return nil, errors.New("a string runs past the end of the line")
}

// String reads a string into a Go string.
func (r *Reader) String() (string, error) {
	s, err := r.StringBytes()
	return string(s), err
}

// number is the text of the next number.
func (r *Reader) number() []byte {
	r.skipSpace()
	start := r.position
	for r.position < len(r.data) {
		c := r.data[r.position]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		r.position++
	}
	return r.data[start:r.position]
}

// Uint reads a non-negative integer.
func (r *Reader) Uint() (uint64, error) {
	text := r.number()
	value, err := strconv.ParseUint(string(text), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("expected a non-negative integer, found %q", text)
	}
	return value, nil
}

// Int reads an integer.
func (r *Reader) Int() (int64, error) {
	text := r.number()
	value, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("expected an integer, found %q", text)
	}
	return value, nil
}

// Float reads any number.
func (r *Reader) Float() (float64, error) {
	text := r.number()
	value, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return 0, fmt.Errorf("expected a number, found %q", text)
	}
	return value, nil
}

// Raw reads any value and returns its bytes (a slice of the line).
func (r *Reader) Raw() ([]byte, error) {
	r.skipSpace()
	start := r.position
	if err := r.Skip(); err != nil {
		return nil, err
	}
	return r.data[start:r.position], nil
}

// Skip reads any value and drops it.
func (r *Reader) Skip() error {
	switch c := r.peek(); {
	case c == '{':
		return r.Object(func([]byte) error { return r.Skip() })
	case c == '[':
		return r.Array(r.Skip)
	case c == '"':
		_, err := r.StringBytes()
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		// Scanned, not parsed: a number out of float64's range is still valid JSON.
		r.number()
		return nil
	case r.Null():
		return nil
	}
	for _, literal := range []string{"true", "false"} {
		if len(r.data)-r.position >= len(literal) && string(r.data[r.position:r.position+len(literal)]) == literal {
			r.position += len(literal)
			return nil
		}
	}
	return r.fail("a JSON value")
}

// End checks that nothing but whitespace follows.
func (r *Reader) End() error {
	if r.peek() != 0 {
		return r.fail("the end of the line")
	}
	return nil
}
