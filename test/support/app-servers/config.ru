# The smallest Rack application: `ok` to every request (puma's compatibility test).
run ->(_env) { [200, { 'content-type' => 'text/plain', 'content-length' => '2' }, ['ok']] }
