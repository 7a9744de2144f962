//! Formula tasks (公式任务): a task whose value is computed from other reported figures, e.g.
//! 依申请公开办结率 = 已办结 ÷ 受理 × 100. The formula is arithmetic over the year's values of
//! other tasks (usually `figure` tasks, reported and checked like any value but not scored),
//! written `[A30-3] / [A30-2] * 100`: ids in square brackets, or bare when they are plain words
//! (`applied`, `A30_2`).
//!
//! [`parse`] turns the text into an [`Expr`] (the task-book reader locates its errors);
//! [`Expr::eval`] computes it from the inputs' values. Pure.

use serde::{Deserialize, Serialize};

/// An arithmetic expression over other tasks' values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    Num(f64),
    /// Another task's year value, by node id.
    Input(String),
    Neg(Box<Expr>),
    Add(Box<Expr>, Box<Expr>),
    Sub(Box<Expr>, Box<Expr>),
    Mul(Box<Expr>, Box<Expr>),
    Div(Box<Expr>, Box<Expr>),
}

/// A formula as written, with its parsed form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Formula {
    pub text: String,
    pub expr: Expr,
}

impl Formula {
    /// The ids of the tasks it reads, each once, in the order written.
    pub fn inputs(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        self.expr.walk(&mut |id| {
            if !out.contains(&id) {
                out.push(id);
            }
        });
        out
    }
}

impl Expr {
    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a str)) {
        match self {
            Expr::Num(_) => {}
            Expr::Input(id) => f(id),
            Expr::Neg(a) => a.walk(f),
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) => {
                a.walk(f);
                b.walk(f);
            }
        }
    }

    /// The value with `input` giving each task's value; `None` when an input has no number, or
    /// the result is not finite (a division by zero: 0 applications received, say).
    pub fn eval(&self, input: &impl Fn(&str) -> Option<f64>) -> Option<f64> {
        let v = match self {
            Expr::Num(x) => *x,
            Expr::Input(id) => input(id)?,
            Expr::Neg(a) => -a.eval(input)?,
            Expr::Add(a, b) => a.eval(input)? + b.eval(input)?,
            Expr::Sub(a, b) => a.eval(input)? - b.eval(input)?,
            Expr::Mul(a, b) => a.eval(input)? * b.eval(input)?,
            Expr::Div(a, b) => {
                let d = b.eval(input)?;
                if d == 0.0 {
                    return None;
                }
                a.eval(input)? / d
            }
        };
        v.is_finite().then_some(v)
    }

    /// The expression with each input replaced by `name(id)`, e.g. `169 ÷ 208 × 100`.
    pub fn render(&self, name: &impl Fn(&str) -> String) -> String {
        self.render_at(name, 0)
    }

    fn render_at(&self, name: &impl Fn(&str) -> String, outer: u8) -> String {
        let (s, prec) = match self {
            Expr::Num(x) => (crate::numbers::num(*x), 3),
            Expr::Input(id) => (name(id), 3),
            Expr::Neg(a) => (format!("−{}", a.render_at(name, 3)), 3),
            Expr::Add(a, b) => (
                format!("{} + {}", a.render_at(name, 1), b.render_at(name, 2)),
                1,
            ),
            Expr::Sub(a, b) => (
                format!("{} − {}", a.render_at(name, 1), b.render_at(name, 2)),
                1,
            ),
            Expr::Mul(a, b) => (
                format!("{} × {}", a.render_at(name, 2), b.render_at(name, 3)),
                2,
            ),
            Expr::Div(a, b) => (
                format!("{} ÷ {}", a.render_at(name, 2), b.render_at(name, 3)),
                2,
            ),
        };
        if prec < outer {
            format!("({s})")
        } else {
            s
        }
    }
}

/// Why a formula could not be read, with the character offset where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaError {
    pub at: usize,
    pub message: String,
}

/// Reads `[A30-3] / [A30-2] * 100`: numbers, ids in brackets or bare words, `+ - * /` (also
/// `× ÷` and full-width brackets), parentheses.
pub fn parse(text: &str) -> Result<Formula, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = Parser { chars, pos: 0 };
    let expr = p.sum()?;
    p.skip_space();
    if p.pos < p.chars.len() {
        return Err(p.error(format!("unexpected `{}`", p.chars[p.pos])));
    }
    Ok(Formula {
        text: text.trim().to_string(),
        expr,
    })
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn error(&self, message: impl Into<String>) -> FormulaError {
        FormulaError {
            at: self.pos,
            message: message.into(),
        }
    }

    fn skip_space(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.get(self.pos).copied()
    }

    fn sum(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.product()?;
        loop {
            match self.peek() {
                Some('+') => {
                    self.pos += 1;
                    left = Expr::Add(Box::new(left), Box::new(self.product()?));
                }
                Some('-') | Some('−') => {
                    self.pos += 1;
                    left = Expr::Sub(Box::new(left), Box::new(self.product()?));
                }
                _ => return Ok(left),
            }
        }
    }

    fn product(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.unary()?;
        loop {
            match self.peek() {
                Some('*') | Some('×') => {
                    self.pos += 1;
                    left = Expr::Mul(Box::new(left), Box::new(self.unary()?));
                }
                Some('/') | Some('÷') => {
                    self.pos += 1;
                    left = Expr::Div(Box::new(left), Box::new(self.unary()?));
                }
                _ => return Ok(left),
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        match self.peek() {
            Some('-') | Some('−') => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            _ => self.atom(),
        }
    }

    fn atom(&mut self) -> Result<Expr, FormulaError> {
        match self.peek() {
            None => {
                Err(self.error("the formula ends where a number, an input or `(` was expected"))
            }
            Some('(') | Some('\u{FF08}') => {
                self.pos += 1;
                let e = self.sum()?;
                match self.peek() {
                    Some(')') | Some('\u{FF09}') => {
                        self.pos += 1;
                        Ok(e)
                    }
                    _ => Err(self.error("`)` expected")),
                }
            }
            Some('[') | Some('【') => {
                self.pos += 1;
                let start = self.pos;
                while self.pos < self.chars.len() && !matches!(self.chars[self.pos], ']' | '】') {
                    self.pos += 1;
                }
                if self.pos >= self.chars.len() {
                    return Err(FormulaError {
                        at: start - 1,
                        message: "`[` without its `]`".into(),
                    });
                }
                let id: String = self.chars[start..self.pos].iter().collect();
                self.pos += 1;
                let id = id.trim().to_string();
                if id.is_empty() {
                    return Err(FormulaError {
                        at: start - 1,
                        message: "an empty `[]`: write a task id inside".into(),
                    });
                }
                Ok(Expr::Input(id))
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let start = self.pos;
                while self.pos < self.chars.len()
                    && (self.chars[self.pos].is_ascii_digit() || self.chars[self.pos] == '.')
                {
                    self.pos += 1;
                }
                let s: String = self.chars[start..self.pos].iter().collect();
                s.parse::<f64>().map(Expr::Num).map_err(|_| FormulaError {
                    at: start,
                    message: format!("`{s}` is not a number"),
                })
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                let start = self.pos;
                while self.pos < self.chars.len()
                    && (self.chars[self.pos].is_alphanumeric() || self.chars[self.pos] == '_')
                {
                    self.pos += 1;
                }
                Ok(Expr::Input(self.chars[start..self.pos].iter().collect()))
            }
            Some(c) => Err(self.error(format!(
                "unexpected `{c}`: write ids with other characters in brackets, e.g. [A30-2]"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, vals: &[(&str, f64)]) -> Option<f64> {
        parse(text)
            .unwrap()
            .expr
            .eval(&|id| vals.iter().find(|(k, _)| *k == id).map(|(_, v)| *v))
    }

    #[test]
    fn ratio_change_and_sum() {
        assert_eq!(
            value(
                "[A30-3] / [A30-2] * 100",
                &[("A30-3", 169.0), ("A30-2", 208.0)]
            ),
            Some(81.25)
        );
        assert_eq!(
            value(
                "(now - before) / before × 100",
                &[("now", 12.0), ("before", 10.0)]
            ),
            Some(20.0)
        );
        assert_eq!(
            value("a + b + 2*c", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]),
            Some(9.0)
        );
        assert_eq!(value("-a - -2", &[("a", 1.0)]), Some(1.0));
        assert_eq!(value("【A】÷(2)", &[("A", 1.0)]), Some(0.5));
    }

    #[test]
    fn missing_input_and_zero_divisor_give_no_value() {
        assert_eq!(value("a / b", &[("a", 1.0)]), None);
        assert_eq!(value("a / b", &[("a", 1.0), ("b", 0.0)]), None);
    }

    #[test]
    fn errors_say_where() {
        let e = parse("[A30-3] / ").unwrap_err();
        assert_eq!(e.at, 10);
        assert!(e.message.contains("ends"), "{}", e.message);
        // `A30-3` unbracketed reads as `A30 − 3`: the task book then names `A30` as unknown.
        assert_eq!(parse("A30-3").unwrap().inputs(), vec!["A30"]);
        assert!(parse("(a + b").unwrap_err().message.contains(')'));
        assert!(parse("[a").unwrap_err().message.contains(']'));
        assert!(parse("a $ b").unwrap_err().message.contains('$'));
    }

    #[test]
    fn inputs_listed_once_and_rendered_with_precedence() {
        let f = parse("(a - b) / b * 100").unwrap();
        assert_eq!(f.inputs(), vec!["a", "b"]);
        assert_eq!(f.expr.render(&|id| id.to_uppercase()), "(A − B) ÷ B × 100");
        let f = parse("a - (b - c)").unwrap();
        assert_eq!(f.expr.render(&|id| id.into()), "a − (b − c)");
    }
}
