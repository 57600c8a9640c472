// Prints true or false: does the app's argon2.verify accept PASSWORD for HASH? (both from the environment)
const argon2 = require("argon2");
argon2.verify(process.env.HASH, process.env.PASSWORD)
  .then((ok) => console.log(ok ? "true" : "false"))
  .catch((e) => { console.error("argon2.verify failed: " + e.message); process.exit(1); });
