// Reads a JSON array of .env texts on stdin; prints, as a JSON array, what the app's dotenv.parse
// makes of each one (the app loads .env with this package, so this is the reference reading).
const dotenv = require("dotenv");
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const texts = JSON.parse(input);
  process.stdout.write(JSON.stringify(texts.map((text) => dotenv.parse(Buffer.from(text, "utf8")))));
});
