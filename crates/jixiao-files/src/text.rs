//! Text files as offices save them. Excel writes "CSV UTF-8" with a byte-order mark, "Unicode
//! text" as UTF-16 with one, and plain "CSV" in the system code page (GBK on Chinese Windows).
//! [`Utf8Reader`] turns the first two into UTF-8 as it streams (a hotline export can hold
//! millions of rows, so nothing is read whole); GBK is not guessed at, because a wrong guess
//! imports wrong text silently: readers refuse it with [`NOT_UTF8`] at the row where it starts.

use std::io::{self, Read};

/// What a reader says about a file that is not UTF-8.
pub const NOT_UTF8: &str = "the file is not UTF-8 (perhaps GBK, as Excel saves plain \"CSV\"); \
     save it as \"CSV UTF-8 (逗号分隔)\" or as an xlsx workbook (文件不是 UTF-8 编码，请另存为“CSV UTF-8”或 xlsx)";

/// What a reader says about a file whose UTF-16 mark is followed by something else.
pub const BAD_UTF16: &str = "the file says UTF-16 but is not valid UTF-16";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// Not yet known: the first bytes have not been read.
    Unknown,
    Utf8,
    Utf16 {
        little: bool,
    },
}

/// A reader of UTF-8 from a file in UTF-8 (its byte-order mark dropped) or UTF-16 with a
/// byte-order mark (decoded). Other bytes pass through unchanged, so invalid UTF-8 reaches the
/// CSV reader, which names its row; invalid UTF-16 is an [`io::ErrorKind::InvalidData`] error
/// saying [`BAD_UTF16`].
pub struct Utf8Reader<R> {
    inner: R,
    encoding: Encoding,
    /// Bytes ready to hand out, from `start`.
    out: Vec<u8>,
    start: usize,
    /// Raw bytes read but not yet decoded (an odd byte, half a surrogate pair).
    raw: Vec<u8>,
    eof: bool,
}

impl<R: Read> Utf8Reader<R> {
    pub fn new(inner: R) -> Utf8Reader<R> {
        Utf8Reader {
            inner,
            encoding: Encoding::Unknown,
            out: Vec::new(),
            start: 0,
            raw: Vec::new(),
            eof: false,
        }
    }

    /// Reads more raw bytes into `raw`; `false` at the end of the input.
    fn fill_raw(&mut self) -> io::Result<bool> {
        let mut buf = [0u8; 16 * 1024];
        let n = loop {
            match self.inner.read(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        self.raw.extend_from_slice(&buf[..n]);
        Ok(n > 0)
    }

    fn sniff(&mut self) -> io::Result<()> {
        while self.raw.len() < 3 && self.fill_raw()? {}
        let (encoding, mark) = match self.raw.as_slice() {
            [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8, 3),
            [0xFF, 0xFE, ..] => (Encoding::Utf16 { little: true }, 2),
            [0xFE, 0xFF, ..] => (Encoding::Utf16 { little: false }, 2),
            _ => (Encoding::Utf8, 0),
        };
        self.raw.drain(..mark);
        self.encoding = encoding;
        Ok(())
    }

    /// Decodes as much of `raw` as forms whole characters into `out`.
    fn decode_utf16(&mut self, little: bool) -> io::Result<()> {
        let units: Vec<u16> = self
            .raw
            .chunks_exact(2)
            .map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        // A high surrogate at the end waits for its pair (unless the input has ended).
        let mut usable = units.len();
        if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            usable -= 1;
        }
        if self.eof && self.raw.len() % 2 == 1 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, BAD_UTF16));
        }
        self.out.clear();
        self.start = 0;
        for ch in char::decode_utf16(units[..usable].iter().copied()) {
            let ch = ch.map_err(|_| io::Error::new(io::ErrorKind::InvalidData, BAD_UTF16))?;
            let mut b = [0u8; 4];
            self.out
                .extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
        }
        self.raw.drain(..usable * 2);
        Ok(())
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.encoding == Encoding::Unknown {
            self.sniff()?;
        }
        loop {
            if self.start < self.out.len() {
                let n = buf.len().min(self.out.len() - self.start);
                buf[..n].copy_from_slice(&self.out[self.start..self.start + n]);
                self.start += n;
                return Ok(n);
            }
            match self.encoding {
                Encoding::Utf8 | Encoding::Unknown => {
                    if !self.raw.is_empty() {
                        // What sniffing read ahead.
                        self.out = std::mem::take(&mut self.raw);
                        self.start = 0;
                        continue;
                    }
                    return self.inner.read(buf);
                }
                Encoding::Utf16 { little } => {
                    if self.eof && self.raw.is_empty() {
                        return Ok(0);
                    }
                    if !self.eof && self.raw.len() < 4 {
                        self.eof = !self.fill_raw()?;
                        continue;
                    }
                    self.decode_utf16(little)?;
                    if self.out.is_empty() && !self.eof {
                        self.eof = !self.fill_raw()?;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte at a time, as a slow pipe might.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    fn read_all(bytes: &[u8], trickle: bool) -> io::Result<String> {
        let mut out = Vec::new();
        if trickle {
            Utf8Reader::new(Trickle(bytes)).read_to_end(&mut out)?;
        } else {
            Utf8Reader::new(bytes).read_to_end(&mut out)?;
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        let mut out = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            out.extend(if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn every_encoding_excel_writes_with_a_mark_reads_as_the_same_text() {
        let text = "工单编号,受理时间\nA1,2020-06-01 😀\n".repeat(3000);
        for trickle in [false, true] {
            assert_eq!(read_all(text.as_bytes(), trickle).unwrap(), text);
            let mut bom = b"\xEF\xBB\xBF".to_vec();
            bom.extend_from_slice(text.as_bytes());
            assert_eq!(read_all(&bom, trickle).unwrap(), text);
            assert_eq!(read_all(&utf16(&text, true), trickle).unwrap(), text);
            assert_eq!(read_all(&utf16(&text, false), trickle).unwrap(), text);
        }
        assert_eq!(read_all(b"", false).unwrap(), "");
        assert_eq!(read_all(b"a", true).unwrap(), "a");
    }

    #[test]
    fn broken_utf16_is_refused_and_other_bytes_pass_through() {
        let mut odd = utf16("ab", true);
        odd.push(0x41);
        assert!(read_all(&odd, false)
            .unwrap_err()
            .to_string()
            .contains("UTF-16"));
        let lone = [0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00];
        assert!(read_all(&lone, true).is_err());
        // GBK for 工单: not UTF-8; the CSV reader names the row.
        let gbk = [0xB9, 0xA4, 0xB5, 0xA5];
        let mut out = Vec::new();
        Utf8Reader::new(&gbk[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, gbk);
    }
}
