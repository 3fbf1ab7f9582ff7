// A registry servant on @tars/rpc: the QueryF base that tars2node generated for @tars/rpc's own tests
// (node_modules/@tars/rpc/test/client/locator/QueryF.js), with findObjectById answering from a fixed table.

"use strict";

require("@tars/rpc");
var TarsStream = require("@tars/stream");
var tars = require("@tars/rpc/test/client/locator/QueryF.js").tars;
var EndpointF = require("@tars/rpc/test/client/locator/EndpointFTars.js").tars.EndpointF;

/** endpointsById: { "App.Server.Obj": [{ host, port, timeout }] } */
module.exports.createRegistryImp = function (endpointsById, asked) {
    var Imp = function () {
        tars.QueryFImp.call(this);
    };
    Imp.prototype = Object.create(tars.QueryFImp.prototype);
    Imp.prototype.constructor = Imp;
    Imp.prototype.initialize = function () {};
    Imp.prototype.findObjectById = function (current, id) {
        asked.push(id);
        var list = TarsStream.List(EndpointF);
        (endpointsById[id] || []).forEach(function (ep) {
            list.push(new EndpointF().readFromObject({ host: ep.host, port: ep.port, timeout: ep.timeout || 3000, istcp: 1 }));
        });
        current.sendResponse(list);
    };
    return Imp;
};
