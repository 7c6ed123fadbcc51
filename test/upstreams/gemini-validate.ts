// Gemini generateContent validation. Google parses the body into protobufs: any field the proto lacks is
// "Unknown name", in camelCase or snake_case alike, with the snake_case proto path in the message. JSON-schema
// keywords the `Schema` proto lacks ($schema, additionalProperties, $ref, $defs, const, ...) therefore fail the
// same way, and an array where the proto has a single value (e.g. `type: ["string","null"]`) fails with
// "Proto field is not repeating, cannot start list." Conversation rules follow the API's own messages.
import { geminiInvalid } from './errors.js';
import { GEMINI_SKIP_SIGNATURE } from './signatures.js';
import type { JsonObject } from './types.js';

// ---------- the proto shapes ----------

type Field =
  | { kind: 'scalar'; proto: 'TYPE_STRING' | 'TYPE_BOOL' | 'TYPE_FLOAT' | 'TYPE_INT32' | 'TYPE_INT64' | 'TYPE_BYTES' }
  | { kind: 'enum'; name: string; values: string[] }
  | { kind: 'message'; name: string; fields: () => Record<string, Field> }
  | { kind: 'repeated'; of: Field }
  | { kind: 'map'; of: Field }
  /** google.protobuf.Struct / Value: any JSON. */
  | { kind: 'any' };

const str: Field = { kind: 'scalar', proto: 'TYPE_STRING' };
const bool: Field = { kind: 'scalar', proto: 'TYPE_BOOL' };
const float: Field = { kind: 'scalar', proto: 'TYPE_FLOAT' };
const int32: Field = { kind: 'scalar', proto: 'TYPE_INT32' };
const int64: Field = { kind: 'scalar', proto: 'TYPE_INT64' };
const bytes: Field = { kind: 'scalar', proto: 'TYPE_BYTES' };
const any: Field = { kind: 'any' };
const list = (of: Field): Field => ({ kind: 'repeated', of });
const message = (name: string, fields: () => Record<string, Field>): Field => ({ kind: 'message', name, fields });
const enumOf = (name: string, values: string[]): Field => ({ kind: 'enum', name, values });

const PKG = 'type.googleapis.com/google.ai.generativelanguage.v1beta.';

const schemaType = enumOf('Type', ['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);
const SchemaMsg: Field = message('Schema', () => ({
  type: schemaType, format: str, title: str, description: str, nullable: bool, enum: list(str), maxItems: int64,
  minItems: int64, properties: { kind: 'map', of: SchemaMsg }, required: list(str), minProperties: int64,
  maxProperties: int64, minLength: int64, maxLength: int64, pattern: str, example: any, anyOf: list(SchemaMsg),
  propertyOrdering: list(str), default: any, items: SchemaMsg, minimum: float, maximum: float,
}));

const BlobMsg = message('Blob', () => ({ mimeType: str, data: bytes }));
const PartMsg = message('Part', () => ({
  text: str,
  inlineData: BlobMsg,
  functionCall: message('FunctionCall', () => ({ id: str, name: str, args: any })),
  functionResponse: message('FunctionResponse', () => ({
    id: str, name: str, response: any, parts: list(any), willContinue: bool,
    scheduling: enumOf('Scheduling', ['SCHEDULING_UNSPECIFIED', 'SILENT', 'WHEN_IDLE', 'INTERRUPT']),
  })),
  fileData: message('FileData', () => ({ mimeType: str, fileUri: str })),
  executableCode: message('ExecutableCode', () => ({ language: enumOf('Language', ['LANGUAGE_UNSPECIFIED', 'PYTHON']), code: str })),
  codeExecutionResult: message('CodeExecutionResult', () => ({
    outcome: enumOf('Outcome', ['OUTCOME_UNSPECIFIED', 'OUTCOME_OK', 'OUTCOME_FAILED', 'OUTCOME_DEADLINE_EXCEEDED']), output: str,
  })),
  videoMetadata: message('VideoMetadata', () => ({ startOffset: str, endOffset: str, fps: float })),
  thought: bool,
  thoughtSignature: bytes,
  partMetadata: any,
  mediaResolution: any,
}));
const ContentMsg = message('Content', () => ({ parts: list(PartMsg), role: str }));

const ToolMsg = message('Tool', () => ({
  functionDeclarations: list(message('FunctionDeclaration', () => ({
    name: str, description: str, parameters: SchemaMsg, parametersJsonSchema: any, response: SchemaMsg,
    responseJsonSchema: any, behavior: enumOf('Behavior', ['UNSPECIFIED', 'BLOCKING', 'NON_BLOCKING']),
  }))),
  googleSearchRetrieval: message('GoogleSearchRetrieval', () => ({
    dynamicRetrievalConfig: message('DynamicRetrievalConfig', () => ({ mode: enumOf('Mode', ['MODE_UNSPECIFIED', 'MODE_DYNAMIC']), dynamicThreshold: float })),
  })),
  codeExecution: message('CodeExecution', () => ({})),
  googleSearch: message('GoogleSearch', () => ({ timeRangeFilter: message('Interval', () => ({ startTime: str, endTime: str })) })),
  urlContext: message('UrlContext', () => ({})),
  computerUse: message('ComputerUse', () => ({ environment: str, excludedPredefinedFunctions: list(str) })),
  fileSearch: any,
  googleMaps: message('GoogleMaps', () => ({ enableWidget: bool })),
}));

const ToolConfigMsg = message('ToolConfig', () => ({
  functionCallingConfig: message('FunctionCallingConfig', () => ({
    mode: enumOf('Mode', ['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']), allowedFunctionNames: list(str),
  })),
  retrievalConfig: message('RetrievalConfig', () => ({ latLng: message('LatLng', () => ({ latitude: float, longitude: float })), languageCode: str })),
}));

const HARM_CATEGORIES = [
  'HARM_CATEGORY_UNSPECIFIED', 'HARM_CATEGORY_DEROGATORY', 'HARM_CATEGORY_TOXICITY', 'HARM_CATEGORY_VIOLENCE',
  'HARM_CATEGORY_SEXUAL', 'HARM_CATEGORY_MEDICAL', 'HARM_CATEGORY_DANGEROUS', 'HARM_CATEGORY_HARASSMENT',
  'HARM_CATEGORY_HATE_SPEECH', 'HARM_CATEGORY_SEXUALLY_EXPLICIT', 'HARM_CATEGORY_DANGEROUS_CONTENT', 'HARM_CATEGORY_CIVIC_INTEGRITY',
];
const SafetySettingMsg = message('SafetySetting', () => ({
  category: enumOf('HarmCategory', HARM_CATEGORIES),
  threshold: enumOf('SafetySetting.HarmBlockThreshold', ['HARM_BLOCK_THRESHOLD_UNSPECIFIED', 'BLOCK_LOW_AND_ABOVE', 'BLOCK_MEDIUM_AND_ABOVE', 'BLOCK_ONLY_HIGH', 'BLOCK_NONE', 'OFF']),
}));

const GenerationConfigMsg = message('GenerationConfig', () => ({
  stopSequences: list(str), responseMimeType: str, responseSchema: SchemaMsg, responseJsonSchema: any, _responseJsonSchema: any,
  responseModalities: list(enumOf('Modality', ['MODALITY_UNSPECIFIED', 'TEXT', 'IMAGE', 'AUDIO'])),
  candidateCount: int32, maxOutputTokens: int32, temperature: float, topP: float, topK: int32, seed: int32,
  presencePenalty: float, frequencyPenalty: float, responseLogprobs: bool, logprobs: int32, enableEnhancedCivicAnswers: bool,
  speechConfig: any,
  thinkingConfig: message('ThinkingConfig', () => ({
    includeThoughts: bool, thinkingBudget: int32,
    thinkingLevel: enumOf('ThinkingConfig.ThinkingLevel', ['THINKING_LEVEL_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH']),
  })),
  imageConfig: message('ImageConfig', () => ({ aspectRatio: str, imageSize: str })),
  mediaResolution: enumOf('MediaResolution', ['MEDIA_RESOLUTION_UNSPECIFIED', 'MEDIA_RESOLUTION_LOW', 'MEDIA_RESOLUTION_MEDIUM', 'MEDIA_RESOLUTION_HIGH']),
}));

const GenerateContentRequestMsg = message('GenerateContentRequest', () => ({
  model: str, contents: list(ContentMsg), tools: list(ToolMsg), toolConfig: ToolConfigMsg,
  safetySettings: list(SafetySettingMsg), systemInstruction: ContentMsg, generationConfig: GenerationConfigMsg, cachedContent: str,
}));

const CountTokensRequestMsg = message('CountTokensRequest', () => ({ contents: list(ContentMsg), generateContentRequest: GenerateContentRequestMsg }));

// ---------- JSON → proto parse check ----------

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Violation {
  field: string;
  description: string;
}

function parse(field: Field, value: unknown, path: string, out: Violation[]): void {
  const at = path ? ` at '${path}'` : '';
  if (value === null) return; // null means "unset" in proto JSON
  switch (field.kind) {
    case 'any':
      return;
    case 'repeated':
      if (!Array.isArray(value)) {
        parse(field.of, value, path, out); // proto JSON accepts a single value for a repeated field
        return;
      }
      value.forEach((v, i) => parse(field.of, v, `${path}[${i}]`, out));
      return;
    case 'map':
      if (!isObject(value)) {
        out.push({ field: path, description: `Invalid value${at} (map), ${JSON.stringify(value)}` });
        return;
      }
      Object.values(value).forEach((v, i) => parse(field.of, v, `${path}[${i}].value`, out));
      return;
    case 'message': {
      if (!isObject(value)) {
        out.push({ field: path, description: `Invalid value${at} (${PKG}${field.name}), ${JSON.stringify(value)}` });
        return;
      }
      const fields = field.fields();
      for (const [key, v] of Object.entries(value)) {
        const spec = fields[key] ?? fields[camel(key)];
        const childPath = path ? `${path}.${snake(camel(key))}` : snake(camel(key));
        if (!spec) {
          out.push({ field: path, description: `Invalid JSON payload received. Unknown name "${key}"${at}: Cannot find field.` });
        } else if (Array.isArray(v) && spec.kind !== 'repeated' && spec.kind !== 'any') {
          out.push({ field: path, description: `Invalid JSON payload received. Unknown name "${key}"${at}: Proto field is not repeating, cannot start list.` });
        } else {
          parse(spec, v, childPath, out);
        }
      }
      return;
    }
    case 'enum': {
      const ok = (typeof value === 'string' && field.values.includes(value.toUpperCase()))
        || (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < field.values.length);
      if (!ok) out.push({ field: path, description: `Invalid value${at} (${PKG}${field.name}), ${JSON.stringify(value)}` });
      return;
    }
    case 'scalar': {
      const ok = field.proto === 'TYPE_STRING' || field.proto === 'TYPE_BYTES'
        ? typeof value === 'string'
        : field.proto === 'TYPE_BOOL'
          ? typeof value === 'boolean'
          : typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)));
      if (!ok) out.push({ field: path, description: `Invalid value${at} (${field.proto}), ${JSON.stringify(value)}` });
    }
  }
}

function parseCheck(root: Field, body: JsonObject): void {
  const out: Violation[] = [];
  parse(root, body, '', out);
  if (out.length === 0) return;
  throw geminiInvalid(out.map((v) => v.description).join('\n'), [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: out },
  ]);
}

// ---------- semantic rules ----------

export interface GeminiChecks {
  model: string;
  /** Records a thoughtSignature; returns false when the API could not verify it. */
  onSignature(signature: string): boolean;
}

/** Reads a field in either spelling (camelCase as the SDKs send it, or snake_case). */
export function field(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  return obj[name] ?? obj[snake(name)];
}

function items(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isObject) : isObject(v) ? [v] : [];
}

export function validateGenerateContent(body: JsonObject, checks: GeminiChecks): void {
  parseCheck(GenerateContentRequestMsg, body);
  checkRequest(body, checks, 'GenerateContentRequest');
}

export function validateCountTokens(body: JsonObject, checks: GeminiChecks): void {
  parseCheck(CountTokensRequestMsg, body);
  const inner = field(body, 'generateContentRequest');
  if (isObject(inner)) {
    checkRequest(inner, checks, 'CountTokensRequest.generate_content_request');
  } else {
    checkContents(items(field(body, 'contents')), checks, 'CountTokensRequest');
  }
}

function checkRequest(body: JsonObject, checks: GeminiChecks, where: string): void {
  checkTools(items(field(body, 'tools')), where);
  checkContents(items(field(body, 'contents')), checks, where);
}

function checkTools(tools: JsonObject[], where: string): void {
  const problems: string[] = [];
  tools.forEach((tool, t) => {
    items(field(tool, 'functionDeclarations')).forEach((fd, f) => {
      const at = `${where}.tools[${t}].function_declarations[${f}]`;
      const name = field(fd, 'name');
      if (typeof name !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/.test(name)) {
        problems.push(`* ${at}.name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.`);
      }
      if (field(fd, 'parameters') !== undefined && field(fd, 'parametersJsonSchema') !== undefined) {
        problems.push(`* ${at}: parameters and parameters_json_schema cannot both be set.`);
      }
      const params = field(fd, 'parameters');
      if (isObject(params)) missingItems(params, `${at}.parameters`, problems);
    });
  });
  if (problems.length > 0) throw geminiInvalid(problems.map((p) => `${p}\n`).join(''));
}

/** An ARRAY schema needs `items` (Google names map entries by key here). */
function missingItems(schema: JsonObject, at: string, out: string[]): void {
  const type = field(schema, 'type');
  if (typeof type === 'string' && type.toUpperCase() === 'ARRAY' && field(schema, 'items') === undefined) out.push(`* ${at}.items: missing field.`);
  const props = field(schema, 'properties');
  if (isObject(props)) for (const [k, v] of Object.entries(props)) if (isObject(v)) missingItems(v, `${at}.properties[${k}]`, out);
  const itemSchema = field(schema, 'items');
  if (isObject(itemSchema)) missingItems(itemSchema, `${at}.items`, out);
  items(field(schema, 'anyOf')).forEach((s, i) => missingItems(s, `${at}.any_of[${i}]`, out));
}

const DATA_FIELDS = ['text', 'inlineData', 'functionCall', 'functionResponse', 'fileData', 'executableCode', 'codeExecutionResult'];

function checkContents(contents: JsonObject[], checks: GeminiChecks, where: string): void {
  if (contents.length === 0) throw geminiInvalid(`* ${where}.contents: contents is not specified\n`);
  contents.forEach((c, i) => {
    const role = field(c, 'role');
    if (role !== undefined && role !== '' && role !== 'user' && role !== 'model') throw geminiInvalid('Please use a valid role: user, model.');
    const parts = items(field(c, 'parts'));
    if (parts.length === 0) throw geminiInvalid(`* ${where}.contents[${i}].parts: contents.parts must not be empty.\n`);
    parts.forEach((p, k) => {
      if (!DATA_FIELDS.some((f) => field(p, f) !== undefined)) {
        throw geminiInvalid(`* ${where}.contents[${i}].parts[${k}].data: required oneof field 'data' must have one initialized field\n`);
      }
      const sig = field(p, 'thoughtSignature');
      if (typeof sig === 'string' && sig !== GEMINI_SKIP_SIGNATURE && !checks.onSignature(sig)) {
        throw geminiInvalid('Corrupted thought signature.');
      }
    });
  });
  checkFunctionTurns(contents);
  if (checks.model.startsWith('gemini-3')) checkCallSignatures(contents);
}

const calls = (c: JsonObject) => items(field(c, 'parts')).map((p) => field(p, 'functionCall')).filter(isObject);
const responses = (c: JsonObject) => items(field(c, 'parts')).map((p) => field(p, 'functionResponse')).filter(isObject);
const isModel = (c: JsonObject | undefined) => field(c, 'role') === 'model';

/** A function call turn is answered by the next turn with as many functionResponse parts, same names. */
function checkFunctionTurns(contents: JsonObject[]): void {
  contents.forEach((c, i) => {
    const prev = contents[i - 1];
    if (isModel(c) && calls(c).length > 0 && prev && isModel(prev)) {
      throw geminiInvalid('Please ensure that function call turn comes immediately after a user turn or after a function response turn.');
    }
    if (!isModel(c) && responses(c).length > 0 && !(prev && isModel(prev) && calls(prev).length > 0)) {
      throw geminiInvalid('Please ensure that function response turn comes immediately after a function call turn.');
    }
    const next = contents[i + 1];
    if (isModel(c) && calls(c).length > 0 && next) {
      const asked = calls(c).map((f) => String(field(f, 'name'))).sort();
      const answered = responses(next).map((f) => String(field(f, 'name'))).sort();
      if (isModel(next) || asked.length !== answered.length) {
        throw geminiInvalid('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
      }
      if (asked.join('\u0000') !== answered.join('\u0000')) {
        throw geminiInvalid(`Please ensure that the function response names match the function call names of the function call turn. Expected: ${asked.join(', ')}; got: ${answered.join(', ')}.`);
      }
    }
  });
}

/**
 * Gemini 3: in the current turn (since the last user message that is not just function responses), the first
 * functionCall part of each model step must carry its thoughtSignature (or the documented skip sentinel).
 */
function checkCallSignatures(contents: JsonObject[]): void {
  let start = 0;
  contents.forEach((c, i) => {
    if (!isModel(c) && items(field(c, 'parts')).some((p) => field(p, 'functionResponse') === undefined)) start = i;
  });
  for (let i = start; i < contents.length; i++) {
    const c = contents[i];
    if (!isModel(c)) continue;
    const first = items(field(c, 'parts')).find((p) => field(p, 'functionCall') !== undefined);
    if (first && typeof field(first, 'thoughtSignature') !== 'string') {
      const name = String(field(field(first, 'functionCall'), 'name'));
      throw geminiInvalid(`Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`);
    }
  }
}
