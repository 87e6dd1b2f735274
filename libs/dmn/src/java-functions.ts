import { FeelNumber, FeelValue, feelToString, isNumber } from '@trellis/feel';

// Functions of kind `Java` name a static method of a Java class (`class` and `method signature` entries of their
// body). There is no JVM here: the static methods of java.lang.Math, java.lang.String and the number classes that
// DMN models use are mapped to decimal arithmetic (34 significant digits, as FEEL numbers); any other method is null
// with a warning.

type JavaMethod = (args: readonly FeelValue[]) => FeelValue;

const numeric =
  (fn: (...n: FeelNumber[]) => FeelNumber | number): JavaMethod =>
  (args) =>
    args.every(isNumber) ? toNumber(fn(...(args as FeelNumber[]))) : null;

const toNumber = (value: FeelNumber | number): FeelValue => {
  const n = new FeelNumber(value);
  return n.isFinite() ? n : null;
};

const parseNumber: JavaMethod = ([text]) => {
  if (typeof text !== 'string' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return null;
  return new FeelNumber(text.trim());
};

const parseInteger: JavaMethod = ([text]) => (typeof text === 'string' && /^[+-]?\d+$/.test(text.trim()) ? new FeelNumber(text.trim()) : null);

const MATH: Record<string, JavaMethod> = {
  abs: numeric((n) => n.abs()),
  acos: numeric((n) => FeelNumber.acos(n)),
  asin: numeric((n) => FeelNumber.asin(n)),
  atan: numeric((n) => FeelNumber.atan(n)),
  cbrt: numeric((n) => FeelNumber.cbrt(n)),
  ceil: numeric((n) => n.ceil()),
  cos: numeric((n) => FeelNumber.cos(n)),
  cosh: numeric((n) => FeelNumber.cosh(n)),
  exp: numeric((n) => FeelNumber.exp(n)),
  floor: numeric((n) => n.floor()),
  log: numeric((n) => FeelNumber.ln(n)),
  log10: numeric((n) => FeelNumber.log10(n)),
  max: numeric((a, b) => FeelNumber.max(a, b)),
  min: numeric((a, b) => FeelNumber.min(a, b)),
  pow: numeric((a, b) => FeelNumber.pow(a, b)),
  // Java rounds half up: Math.round(-2.5) is -2.
  round: numeric((n) => n.plus(0.5).floor()),
  signum: numeric((n) => FeelNumber.sign(n)),
  sin: numeric((n) => FeelNumber.sin(n)),
  sinh: numeric((n) => FeelNumber.sinh(n)),
  sqrt: numeric((n) => n.sqrt()),
  tan: numeric((n) => FeelNumber.tan(n)),
  tanh: numeric((n) => FeelNumber.tanh(n)),
  toDegrees: numeric((n) => n.times(180).dividedBy(FeelNumber.acos(-1))),
  toRadians: numeric((n) => n.times(FeelNumber.acos(-1)).dividedBy(180)),
};

const CLASSES: Record<string, Record<string, JavaMethod>> = {
  'java.lang.Math': MATH,
  'java.lang.StrictMath': MATH,
  'java.lang.String': {
    valueOf: (args: readonly FeelValue[]) => {
      const value = args[0] ?? null;
      return value === null ? 'null' : typeof value === 'string' ? value : feelToString(value);
    },
  },
  'java.lang.Double': { valueOf: parseNumber, parseDouble: parseNumber },
  'java.lang.Float': { valueOf: parseNumber, parseFloat: parseNumber },
  'java.lang.Integer': { valueOf: parseInteger, parseInt: parseInteger },
  'java.lang.Long': { valueOf: parseInteger, parseLong: parseInteger },
};

/** The mapped static method a `class` and `method signature` name (`max(double, double)`), or undefined. */
export function javaMethod(className: string, signature: string): JavaMethod | undefined {
  const name = signature.trim().replace(/\s*\(.*$/, '');
  const methods = Object.hasOwn(CLASSES, className.trim()) ? CLASSES[className.trim()] : undefined;
  return methods && Object.hasOwn(methods, name) ? methods[name] : undefined;
}
